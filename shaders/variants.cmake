# Shader variants: one .glsl compiled with different #defines (and the extensions those need),
# generated into the build tree (vktrain_shader_variant, cmake/EmbedShaders.cmake) instead of
# kept as stub files. The name is the kernel's, as the C++ side asks for it (KernelSpec::shader);
# the comment above each says what it is. Shaders with code of their own are shaders/*.comp.

# dx = dy * f'(x): activation_io.glsl, storage reads.
vktrain_shader_variant(activation_backward activation_io.glsl DEFINES ACT_BACKWARD)
# dx = dy * f'(x): activation_io.glsl, x and dy read through RGBA32F texel views (vec4_io.glsl
# says why).
vktrain_shader_variant(activation_backward_texel activation_io.glsl DEFINES ACT_BACKWARD VEC4_TEXEL)
# y = f(x): activation_io.glsl, storage reads.
vktrain_shader_variant(activation_forward activation_io.glsl)
# y = f(x): activation_io.glsl, x read through an RGBA32F texel view (vec4_io.glsl says why).
vktrain_shader_variant(activation_forward_texel activation_io.glsl DEFINES VEC4_TEXEL)
# adagrad.glsl reading every buffer through storage bindings: the fallback when a span cannot be
# viewed as an RGBA32F texel buffer (adagrad_texel).
vktrain_shader_variant(adagrad adagrad.glsl)
# adagrad.glsl reading whole vec4s through RGBA32F texel views (bindings 5 p, 6 g, 7 v):
# vec4_io.glsl says why.
vktrain_shader_variant(adagrad_texel adagrad.glsl DEFINES VEC4_TEXEL)
# adam.glsl reading every buffer through storage bindings: the fallback when a span cannot be
# viewed as an RGBA32F texel buffer (adam_texel).
vktrain_shader_variant(adam adam.glsl)
# adam.glsl reading whole vec4s through RGBA32F texel views (bindings 6 p, 7 g, 8 m, 9 v):
# vec4_io.glsl says why.
vktrain_shader_variant(adam_texel adam.glsl DEFINES VEC4_TEXEL)
# Batch norm backward, portable path: workgroup sums through a shared-memory tree. See
# batchnorm_backward.glsl; batchnorm_backward_sg is the subgroupAdd twin.
vktrain_shader_variant(batchnorm_backward batchnorm_backward.glsl)
# Batch norm backward, for devices with subgroup arithmetic: workgroup sums through subgroupAdd
# (4-5x faster than a shared-memory tree on lavapipe). See batchnorm_backward.glsl.
vktrain_shader_variant(batchnorm_backward_sg batchnorm_backward.glsl
  DEFINES BN_SUBGROUP EXTENSIONS GL_KHR_shader_subgroup_arithmetic)
# Batch norm training forward, portable path: workgroup sums through a shared-memory tree. See
# batchnorm_train.glsl; batchnorm_train_sg is the subgroupAdd twin.
vktrain_shader_variant(batchnorm_train batchnorm_train.glsl)
# Batch norm training forward, for devices with subgroup arithmetic: workgroup sums through
# subgroupAdd (4-5x faster than a shared-memory tree on lavapipe). See batchnorm_train.glsl.
vktrain_shader_variant(batchnorm_train_sg batchnorm_train.glsl
  DEFINES BN_SUBGROUP EXTENSIONS GL_KHR_shader_subgroup_arithmetic)
# col2im.glsl, storing 4 floats per vec4 store.
vktrain_shader_variant(col2im col2im.glsl)
# col2im.glsl, channels-last, storing the uniform way (uniform_store.glsl) 4 floats per vec4.
vktrain_shader_variant(col2im_uniform col2im.glsl DEFINES COL2IM_UNIFORM)
# col2im.glsl, channels-last, storing the uniform way two floats per 64-bit component (for devices
# with shaderInt64: uniform_store.glsl, DeviceInfo::int64).
vktrain_shader_variant(col2im_uniform_u64 col2im.glsl
  DEFINES COL2IM_UNIFORM UNIFORM_STORE_U64 EXTENSIONS GL_EXT_shader_explicit_arithmetic_types_int64)
# dropout.glsl with storage reads.
vktrain_shader_variant(dropout dropout.glsl)
# dropout.glsl reading x through an RGBA32F texel view (vec4_io.glsl says why).
vktrain_shader_variant(dropout_texel dropout.glsl DEFINES VEC4_TEXEL)
# gather_batch.glsl reading through storage bindings: the fallback where R32UI texel views are not
# possible (gather_batch_texel).
vktrain_shader_variant(gather_batch gather_batch.glsl)
# gather_batch.glsl reading the data set, labels and indices through R32UI texel views: branch-
# free loads on lavapipe (gather_batch.glsl says more).
vktrain_shader_variant(gather_batch_texel gather_batch.glsl DEFINES GATHER_TEXEL)
# gemm_texel.glsl, the general epilogue, each lane fetching all of its A rows (any subgroup size).
vktrain_shader_variant(gemm_texel gemm_texel.glsl)
# gemm_texel_maxpool.glsl, the fused 2x2 max pool, each lane fetching all of its A rows (any
# subgroup size).
vktrain_shader_variant(gemm_texel_maxpool gemm_texel_maxpool.glsl)
# gemm_texel_maxpool.glsl, the fused 2x2 max pool, with A's rows shared by subgroup shuffle
# (gemm_texel_body.glsl, GEMM_A_SHUFFLE): for devices with subgroups of 8 and shuffle in compute
# shaders.
vktrain_shader_variant(gemm_texel_maxpool_sg gemm_texel_maxpool.glsl
  DEFINES GEMM_A_SHUFFLE EXTENSIONS GL_KHR_shader_subgroup_basic GL_KHR_shader_subgroup_shuffle)
# gemm_texel.glsl, the general epilogue, with A's rows shared by subgroup shuffle
# (gemm_texel_body.glsl, GEMM_A_SHUFFLE): for devices with subgroups of 8 and shuffle in compute
# shaders.
vktrain_shader_variant(gemm_texel_sg gemm_texel.glsl
  DEFINES GEMM_A_SHUFFLE EXTENSIONS GL_KHR_shader_subgroup_basic GL_KHR_shader_subgroup_shuffle)
# gemm_tiled.glsl, shared-memory tiling with one bounds-checked float per global load: any
# shape, the GPU rule's kernel and the reference measured selection checks the others against.
vktrain_shader_variant(gemm_tiled gemm_tiled.glsl)
# gemm_tiled.glsl loading its panels one vec4 at a time along each operand's contiguous
# dimension: leading dimensions and batch strides multiples of 4, operands at 16-byte offsets.
vktrain_shader_variant(gemm_tiled_vec4 gemm_tiled.glsl DEFINES GEMM_TILED_VEC4)
# Mean squared error for training: dpred (N, K) = 2 (p - t) / (N K), and the batch's loss sum (sum
# of per-row means), row count and nonfinite rows added to the metrics block. One workgroup for
# the whole batch. See mse_loss.glsl, nn/ops/loss.hpp.
vktrain_shader_variant(mse_loss mse_loss.glsl)
# Forward-only mean squared error for evaluation: the metrics of mse_loss, no dpred.
vktrain_shader_variant(mse_loss_eval mse_loss.glsl DEFINES MSE_EVAL_ONLY)
# mse_loss against the one-hot vector of each row's int label (`train --loss mse`), counting
# argmax hits for the accuracy like softmax_cross_entropy.
vktrain_shader_variant(mse_onehot mse_loss.glsl DEFINES MSE_ONEHOT)
vktrain_shader_variant(mse_onehot_eval mse_loss.glsl DEFINES MSE_ONEHOT MSE_EVAL_ONLY)
# rmsprop.glsl reading every buffer through storage bindings: the fallback when a span cannot be
# viewed as an RGBA32F texel buffer (rmsprop_texel).
vktrain_shader_variant(rmsprop rmsprop.glsl)
# rmsprop.glsl reading whole vec4s through RGBA32F texel views (bindings 5 p, 6 g, 7 v):
# vec4_io.glsl says why.
vktrain_shader_variant(rmsprop_texel rmsprop.glsl DEFINES VEC4_TEXEL)
# sgd.glsl reading every buffer through storage bindings: the fallback when a span cannot be
# viewed as an RGBA32F texel buffer (sgd_texel).
vktrain_shader_variant(sgd sgd.glsl)
# sgd.glsl reading whole vec4s through RGBA32F texel views (bindings 5 p, 6 g, 7 m): vec4_io.glsl
# says why.
vktrain_shader_variant(sgd_texel sgd.glsl DEFINES VEC4_TEXEL)
# Fused softmax + cross-entropy for training: dlogits (N, K) = (softmax(z) - onehot) / N, and the
# batch's loss sum, correct count, row count and nonfinite rows added to the metrics block. One
# workgroup for the whole batch (the metrics have a single writer). See softmax_cross_entropy.glsl
# for the formulas, nn/ops/loss.hpp for the contract.
vktrain_shader_variant(softmax_cross_entropy softmax_cross_entropy.glsl)
# Forward-only softmax cross-entropy for evaluation: the same metrics as
# softmax_cross_entropy (loss sum, correct, count, nonfinite), no dlogits.
vktrain_shader_variant(softmax_cross_entropy_eval softmax_cross_entropy.glsl DEFINES SCE_EVAL_ONLY)
# winograd_input.glsl, storing 4 floats per vec4 store.
vktrain_shader_variant(winograd_input winograd_input.glsl)
# winograd_input_backward.glsl, storing 4 floats per vec4 store.
vktrain_shader_variant(winograd_input_backward winograd_input_backward.glsl)
# winograd_input_backward.glsl, its uniform stores writing two floats per 64-bit component (for
# devices with shaderInt64: uniform_store.glsl, DeviceInfo::int64).
vktrain_shader_variant(winograd_input_backward_u64 winograd_input_backward.glsl
  DEFINES UNIFORM_STORE_U64 EXTENSIONS GL_EXT_shader_explicit_arithmetic_types_int64)
# winograd_input.glsl, its uniform stores writing two floats per 64-bit component (for devices
# with shaderInt64: uniform_store.glsl, DeviceInfo::int64).
vktrain_shader_variant(winograd_input_u64 winograd_input.glsl
  DEFINES UNIFORM_STORE_U64 EXTENSIONS GL_EXT_shader_explicit_arithmetic_types_int64)
# winograd_output_pool_backward.glsl, storing 4 floats per vec4 store.
vktrain_shader_variant(winograd_output_pool_backward winograd_output_pool_backward.glsl)
# winograd_output_pool_backward.glsl, its uniform stores writing two floats per 64-bit component
# (for devices with shaderInt64: uniform_store.glsl, DeviceInfo::int64).
vktrain_shader_variant(winograd_output_pool_backward_u64 winograd_output_pool_backward.glsl
  DEFINES UNIFORM_STORE_U64 EXTENSIONS GL_EXT_shader_explicit_arithmetic_types_int64)
