// The texel GEMM's specialization constants, named once for both sides: the shaders
// (gemm_texel_body.glsl) declare each as `layout(constant_id = ID) const TYPE NAME = DEFAULT;`,
// nn/ops/gemm.cpp sets each by name (GemmTexelConstants). IDs 0-2 are the workgroup size
// (common.glsl). What each one means is said where the shaders use it.
//                  name        id  type  default
GEMM_TEXEL_CONSTANT(TM,          3, uint,  8)
GEMM_TEXEL_CONSTANT(TN,          4, uint,  8)
GEMM_TEXEL_CONSTANT(TRANS_A,     5, bool,  false)
GEMM_TEXEL_CONSTANT(TRANS_B,     6, bool,  false)
GEMM_TEXEL_CONSTANT(A_R32,       7, bool,  false)
GEMM_TEXEL_CONSTANT(B_R32,       8, bool,  false)
GEMM_TEXEL_CONSTANT(SPLIT_IN_X,  9, bool,  false)
GEMM_TEXEL_CONSTANT(PHW,        10, uint,  1)
GEMM_TEXEL_CONSTANT(K_TAIL,     11, bool,  true)
GEMM_TEXEL_CONSTANT(EPI_BIAS,   12, uint,  0)
GEMM_TEXEL_CONSTANT(EPI_RELU,   13, bool,  false)
GEMM_TEXEL_CONSTANT(EPI_BETA,   14, bool,  false)
GEMM_TEXEL_CONSTANT(VEC4_STORE, 15, bool,  false)
GEMM_TEXEL_CONSTANT(FETCH_8,    16, bool,  false)
GEMM_TEXEL_CONSTANT(C_BLOCKED,  17, bool,  false)
GEMM_TEXEL_CONSTANT(A_POOLED,   18, bool,  false)
GEMM_TEXEL_CONSTANT(A_PHW,      19, uint,  1)
GEMM_TEXEL_CONSTANT(POOL_NHWC,  20, bool,  false)
