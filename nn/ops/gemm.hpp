#pragma once
// GEMM, the workhorse of dense layers (and of conv2d's backward-weight pass):
//   C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C + bias, then optional ReLU.
// Kernels, chosen per device and shape (gemm_path; measured among them: nn/plan/gemm_plan.hpp):
//   texel:    shaders/gemm_texel.glsl, register tiling + texel-buffer loads; best on CPU drivers.
//             Rows that are not whole vec4s (K = 10) are read one float per fetch (R32F views).
//   tiled:    shaders/gemm_tiled.glsl, shared-memory tiling; the GPU rule; takes any shape.
//   vec4:     gemm_tiled.glsl loading its panels as vec4s (gemm_tiled_vec4): a GPU candidate
//             where lda, ldb (and batch strides) are multiples of 4 and A, B sit at 16-byte
//             offsets (vec4_gemm_ok); any M, N, K.
//   subgroup: shaders/gemm_subgroup.comp, register tiling with no shared memory: a workgroup
//             row is one subgroup whose lanes share op(A) by subgroupShuffle; a GPU candidate
//             where the device has shuffle in compute shaders (subgroup_gemm_ok); any shape.
// Asked for a kernel that cannot run the product (GemmPath or VKTRAIN_GEMM), gemm() takes tiled.
#include <cstdint>
#include <string>

#include "nn/ops/device_span.hpp"
#include "runtime/kernel_policy.hpp"

namespace vkt::nn {

enum class BiasMode : uint32_t { None = 0, PerColumn = 1, PerRow = 2 };
enum class GemmPath { Auto, Texel, Tiled, TiledVec4, Subgroup };

struct Gemm {
  uint32_t M = 0, N = 0, K = 0;
  bool trans_a = false, trans_b = false;
  uint32_t lda = 0, ldb = 0, ldc = 0;  // 0: packed (K or M, N or K, N)
  float alpha = 1.0f, beta = 0.0f;
  BiasMode bias = BiasMode::None;
  bool relu = false;
  GemmPath path = GemmPath::Auto;
  // The kernel's workgroup (wx x wy) and block of C per invocation (tm x tn); zeros: the
  // tiled, vec4 and subgroup kernels take gemm_default_tiles, the texel kernel its own rules
  // (gemm.cpp). Set by measured selection (nn/plan/gemm_plan.hpp) and tests.
  struct Tiles {
    uint32_t wx = 0, wy = 0, tm = 0, tn = 0;
  } tiles;
  // > 0: store C blocked as (N / c_block, M, c_block) — a convolution's NCHW output straight
  // from the GEMM, without a transpose pass (shaders/gemm_common.glsl).
  uint32_t c_block = 0;
  // Scratch for split-K: when the output has too few tiles to keep every core busy (a
  // convolution's weight gradient: 64 x 288 outputs, 7,744-deep sums), K is split over
  // workgroups writing partial slabs here, then summed. Empty: never split.
  DeviceSpan split_scratch;
  // > 0 (texel kernel only; see gemm_path): a convolution's fused 2x2 max pool. N counts col
  // rows grouped by window (4 per window); C receives the pooled maxima as (N/4 / maxpool_cells
  // images, M channels, maxpool_cells) and maxpool_argmax the winning cells
  // (shaders/gemm_texel_maxpool.glsl). Never split.
  uint32_t maxpool_cells = 0;
  DeviceSpan maxpool_argmax;
  // > 1: `batch` independent products in one dispatch (a Winograd convolution's 16), product z
  // reading A, B and writing C at z·stride_a, z·stride_b, z·stride_c floats (grid z, every
  // kernel). Never split; no c_block or max pool.
  uint32_t batch = 1;
  uint32_t stride_a = 0, stride_b = 0, stride_c = 0;
  // > 0 (texel kernel only, A not transposed): A (M channels, K = 4 x windows) is the gradient
  // a fused 2x2 max pool passes back to its convolution, read from the pooled gradient `a`
  // (images, M, pooled_cells) and the winners pooled_argmax (shaders/gemm_texel_body.glsl,
  // A_POOLED): what maxpool2x2_windows_backward.comp would store, never stored.
  uint32_t pooled_cells = 0;
  DeviceSpan pooled_argmax;
  // With maxpool_cells or pooled_cells: those pooled tensors are channels-last, (images,
  // cells, M) (nn/ops/conv2d.hpp, y_channels_last). M % 4 == 0.
  bool pool_channels_last = false;
  // Texel kernel: let the lanes of a subgroup share A's rows by shuffle where the device allows
  // (shaders/gemm_texel_body.glsl, GEMM_A_SHUFFLE). False: every lane fetches its own (tests
  // of that kernel).
  bool a_shuffle = true;
};

// Floats a rows x cols matrix with leading dimension ld spans: what gemm() requires of an operand.
inline uint64_t gemm_matrix_floats(uint64_t rows, uint64_t cols, uint64_t ld) {
  return rows == 0 ? 0 : (rows - 1) * ld + cols;
}

// Floats of split_scratch that let gemm() split any M x N output as far as it wants.
constexpr uint32_t kMaxSplits = 64;
inline uint64_t gemm_split_scratch_floats(uint64_t M, uint64_t N) { return kMaxSplits * M * N; }

// Mirrors the push-constant block of shaders/gemm_common.glsl.
struct GemmPush {
  uint32_t M, N, K, lda, ldb, ldc;
  float alpha, beta;
  uint32_t bias_mode, relu;
  uint32_t c_block, k_chunk, split_stride;
  uint32_t batch_a, batch_b, batch_c;  // Gemm::stride_a/b/c: floats between batched products
};
static_assert(sizeof(GemmPush) == 64);

// Records C = op(A) op(B) ... into `s`. `bias` may be empty when g.bias is None.
// Throws Error if a span is too small for the shape.
void gemm(Stream& s, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c);

// Which kernel gemm() uses for this shape on this device (after Auto is resolved), and why
// not texel when it is not. KernelPolicy::gemm (VKTRAIN_GEMM=texel|tiled|vec4|subgroup)
// overrides Auto.
GemmPath gemm_path(const Context& ctx, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c);
std::string gemm_path_name(GemmPath p);
// Whether an Auto product whose operands can be read as texels takes the texel kernel.
bool texel_gemm_by_default(const KernelPolicy& p);
// The workgroup and blocks the tiled, vec4 and subgroup kernels take when Gemm::tiles is zero:
// 16 x 16 of 4 x 4, and for subgroup a row of subgroup_size lanes, 128 invocations in all.
Gemm::Tiles gemm_default_tiles(const KernelPolicy& p, GemmPath path);
// Whether the vec4 kernel in these tiles can read A and B as vec4s (see the top of this file).
bool vec4_gemm_ok(const Gemm& g, DeviceSpan a, DeviceSpan b, const Gemm::Tiles& t);
// Whether the device runs the subgroup kernel: subgroupShuffle in compute shaders, and a
// subgroup no wider than a workgroup row may be.
bool subgroup_gemm_ok(const KernelPolicy& p);
// The shader gemm() dispatches for this product ("gemm_texel_sg", "gemm_tiled", ...).
std::string gemm_kernel(const Context& ctx, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c);

}  // namespace vkt::nn
