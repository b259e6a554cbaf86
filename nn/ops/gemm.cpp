#include "nn/ops/gemm.hpp"

#include "nn/ops/strided_sum.hpp"
#include "nn/plan/gemm_plan.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

Gemm packed(Gemm g) {
  if (!g.lda) g.lda = g.trans_a ? g.M : g.K;
  if (!g.ldb) g.ldb = g.trans_b ? g.K : g.N;
  if (!g.ldc) g.ldc = g.N;
  return g;
}

void require_fits(const char* what, DeviceSpan s, uint64_t rows, uint64_t cols, uint64_t ld) {
  const uint64_t need = gemm_matrix_floats(rows, cols, ld);
  if (s.count < need)
    throw Error(std::string("gemm: ") + what + " holds " + std::to_string(s.count) + " floats, the shape needs " +
                std::to_string(need));
}


bool r32_rows(DeviceSpan s, const DeviceInfo& info) {
  return s.offset % info.min_texel_buffer_offset_alignment == 0 && s.count <= info.max_texel_buffer_elements &&
         s.buffer->texel_capable();
}

// How the texel kernel reads one operand: RGBA32F rows (4 floats per fetch) where every row
// starts on a vec4 and, for a K-contiguous operand, K is whole vec4s; else R32F (1 float per
// fetch; a 10-class layer's dy); else not at all.
enum class TexelRead { Vec4, Scalar, No };
TexelRead texel_read(uint32_t ld, bool k_contiguous, uint32_t K, DeviceSpan s, const Context& ctx) {
  if (ld % 4 == 0 && vec4_texel_ok(ctx, s) && (!k_contiguous || K % 4 == 0)) return TexelRead::Vec4;
  return r32_rows(s, ctx.info()) ? TexelRead::Scalar : TexelRead::No;
}

// The shuffled-A texel kernels: subgroups of exactly 8 lanes running along x (a workgroup row
// is a multiple of 8 wide), shuffle in compute shaders, and an A read as rows (not pooled).
// KernelPolicy::gemm_shuffle (VKTRAIN_NO_SHUFFLE=1) turns them off (A/B measurements).
bool texel_a_shuffle_ok(const Context& ctx, const Gemm& g) {
  const KernelPolicy& p = ctx.policy();
  return p.gemm_shuffle && g.a_shuffle && p.subgroups_of_8() && g.pooled_cells == 0 && g.M >= 8;
}

// The texel kernels' specialization constants by name (shaders/gemm_texel_constants.glsl is
// the one list; its defaults are the shaders').
struct GemmTexelConstants {
#define GEMM_TEXEL_CONSTANT(NAME, ID, TYPE, VALUE) uint32_t NAME = VALUE;
#include "shaders/gemm_texel_constants.glsl"
#undef GEMM_TEXEL_CONSTANT
  // In constant-ID order from 3, as KernelSpec::constants wants them.
  std::vector<uint32_t> values() const {
    std::vector<uint32_t> v;
#define GEMM_TEXEL_CONSTANT(NAME, ID, TYPE, VALUE) \
  v.resize(std::max<size_t>(v.size(), ID - 2));    \
  v[ID - 3] = NAME;
#include "shaders/gemm_texel_constants.glsl"
#undef GEMM_TEXEL_CONSTANT
    return v;
  }
};

// How gemm() runs one product: the kernel, its blocks, workgroups and K splits.
struct GemmPlan {
  GemmPath path = GemmPath::Auto;
  bool a_shuffle = false;  // texel kernel: A's rows shared by subgroup shuffle (the *_sg shaders)
  uint32_t tm = 4, tn = 4;  // block of C per invocation
  uint32_t wx = 16, wy = 16;
  uint32_t gx = 1, gy = 1;  // workgroups over N and M (before splits along x or z)
  uint32_t splits = 1, k_chunk = 0;
  bool split_in_x = false;
  uint32_t grid_x = 1, grid_z = 1;
};

GemmPlan plan(const Context& ctx, const Gemm& g, GemmPath path, Gemm::Tiles tiles) {
  GemmPlan q;
  q.path = path;
  const bool texel_path = path == GemmPath::Texel;
  // Texel blocks (each lane fetching its own A) are 8 wide and high: half the fetches per
  // multiply-add of 4x4, and measured faster on lavapipe even where 4x4 gives more workgroups
  // (a 64 x 64 dense output: one workgroup of 8x8 blocks beats four of 4x4; 128 x 128 x 784:
  // 1.2 vs 1.9 ms). 8x16 and 16x8 spilled then. A short M gets 4 rows, wasting less on padding.
  // The pooled convolution forward (maxpool_cells) takes 8x12: three windows per row of the
  // block. Measured side by side (bench conv2d_forward, b64, whole pass incl. im2col): cnn.conv1
  // +pool 2.6-2.9 -> 2.4-2.5 ms (4 rounds of 15), cnn.conv2+pool 7.5-7.7 -> 6.9-7.3, cifar
  // conv2+pool 10.9-11.9 -> 9.8-10.7 (3 rounds of 7). Not elsewhere: dense layers and cifar
  // conv3 (no pool) got slower with 8x12.
  // Split K (below) when the output has few blocks and the sums are long.
  const bool can_split = !g.split_scratch.empty() && g.bias == BiasMode::None && !g.relu && g.c_block == 0 &&
                         g.ldc == g.N && g.alpha == 1.0f && g.maxpool_cells == 0 && g.batch == 1;
  const bool long_sums = can_split && g.K >= 1024;
  // A long, narrow product of 9 to 12 columns (a 3x3, 1-channel filter's weight gradient:
  // 32 x 9, summed over 43,264 rows) takes one 12-wide block instead of three 4-wide ones:
  // 20 fetches per 4-deep step feed 384 multiply-adds instead of 12 per 128, and the splits
  // below fill the lanes. bench conv2d_backward_weight cnn.conv1+pool b64, GEMM alone:
  // 2.1-2.7 ms -> 0.87-1.0 ms with 64 splits (1.7-1.9 with 16).
  const bool narrow_12 = texel_path && long_sums && g.N > 8 && g.N <= 12;
  // N < 16 takes 4-wide blocks (a 10-class layer's N: 256 x 10 x 64 0.11 vs 0.17 ms), and so
  // does N <= 32 with A shared by shuffle: 8 of them fill a subgroup, where 8-wide ones leave
  // half its lanes idle (the Winograd backward-data products, 1600 x 32 x 64: 1.2-1.6x). Not
  // a split, narrow product (the CIFAR CNN's first-layer weight gradient, 32 x 28 x 57,600:
  // 10.4 -> 12.3 ms with 4-wide blocks).
  const bool narrow_shuffled = texel_path && g.N <= 32 && !long_sums && texel_a_shuffle_ok(ctx, g);
  // The tiled, vec4 and subgroup kernels take the tiles they are given (or their defaults); the
  // texel kernel takes given tiles (a measured candidate, nn/plan/gemm_plan.hpp) or the rules
  // below.
  const bool given_texel = texel_path && tiles.wx != 0;
  const bool own_tiles =
      path == GemmPath::Tiled || path == GemmPath::TiledVec4 || path == GemmPath::Subgroup || given_texel;
  if (own_tiles && !tiles.wx) tiles = gemm_default_tiles(ctx.policy(), path);
  const uint32_t tn = own_tiles ? tiles.tn : texel_path && g.N >= 16 && !narrow_shuffled ? (g.maxpool_cells ? 12 : 8) : narrow_12 ? 12 : 4;
  // Where the device has subgroups of 8 with shuffle, the texel kernel's lanes share A's rows
  // (gemm_texel_body.glsl, GEMM_A_SHUFFLE): a row costs 1/8 of a fetch instead of one, so the
  // blocks grow to 16 rows, halving B's fetches per multiply-add (16 x 8: 128 accumulators,
  // spilled, but they are anyway around the fetch calls). JIT instructions (callgrind) of
  // long-k 6400x64x512 / conv2 fwd 64x6400x288: 376 / 221 M with 8x8 own fetches, 232 / 139 M
  // shuffled 16x8; bench gemm, alternating: 1024^3 83 -> 53 ms, long-k 14.3 -> 8.4 ms. Not
  // where K is split along x (a narrow, long product: its lanes sum different k ranges) or A
  // is a pooled gradient.
  // Given tiles share A's rows only where a subgroup of 8 lanes along x has one row of blocks
  // (wx a multiple of 8) and a block is whole groups of 8 rows.
  const bool given_shuffle_ok = !given_texel || (tiles.tm % 8 == 0 && tiles.wx % 8 == 0);
  const bool a_shuffle = texel_path && texel_a_shuffle_ok(ctx, g) && given_shuffle_ok &&
                         !(long_sums && (g.N + tn - 1) / tn < 8);
  const uint32_t tm = own_tiles ? tiles.tm : a_shuffle ? (g.M >= 16 ? 16 : 8) : texel_path && g.M >= 16 ? 8 : 4;
  // Texel workgroups are up to 64 invocations. Along x, lanes past N cost as much as working
  // ones (SIMD 8), so x is the widest multiple of 8 that divides the blocks across N rounded
  // up to 8; y is no taller than M needs (on lavapipe each workgroup also costs a few
  // microseconds). A 32 x 64 output of 16 x 8 blocks is one 8 x 2 workgroup, not 32 x 2 with
  // three quarters of its lanes idle (the Winograd backward-weight products, 1,600 deep).
  // But never so large that fewer than 8 workgroups are left where smaller ones would give
  // more (lavapipe spreads workgroups over its threads, one CPU each).
  const uint32_t blocks_x = (g.N + tn - 1) / tn;
  uint32_t wx = own_tiles ? tiles.wx : 16, wy = own_tiles ? tiles.wy : 16;
  const auto texel_workgroup = [&](uint32_t x_items, uint32_t z) {
    const uint32_t lanes = (x_items + 7) / 8 * 8;
    const auto groups = [&] { return uint64_t(lanes / wx) * ((g.M + wy * tm - 1) / (wy * tm)) * z; };
    for (wx = 64; wx >= 8; wx -= 8) {
      wy = 64 / wx;
      while (wy > 1 && (wy / 2) * tm >= g.M) wy /= 2;
      if (wx == 8 || (lanes % wx == 0 && groups() >= 8)) break;
    }
    while (wy > 1 && groups() < 8) wy /= 2;
  };
  if (texel_path && !given_texel) texel_workgroup(blocks_x, g.batch);
  uint32_t gx = (blocks_x + wx - 1) / wx;
  uint32_t gy = (g.M + wy * tm - 1) / (wy * tm);

  // Split K when the output has few workgroups and the sums are long: up to 32 workgroups, and
  // on the texel kernel up to 256 invocations (32 SIMD-8 rows of lanes, work for every thread),
  // each summing at least 256 terms.
  uint32_t splits = 1, k_chunk = 0;
  if (long_sums && uint64_t(gx) * gy < 16) {
    const uint32_t blocks = ((g.N + tn - 1) / tn) * ((g.M + tm - 1) / tm);
    const uint32_t lanes = texel_path ? 256 / blocks : 0;
    const uint32_t want = std::min<uint32_t>({kMaxSplits, std::max<uint32_t>({2, 32 / (gx * gy), lanes}), g.K / 256});
    k_chunk = (g.K + want - 1) / want;
    k_chunk = (k_chunk + 15) / 16 * 16;  // whole k-steps of both kernels (4 and BK = 16)
    splits = (g.K + k_chunk - 1) / k_chunk;
    if (splits < 2) splits = 1, k_chunk = 0;
  }
  if (splits > 1 && g.split_scratch.count < uint64_t(splits) * g.M * g.N) splits = 1, k_chunk = 0;
  // A narrow output leaves SIMD lanes idle along x (subgroups run along N): then the splits go
  // along x too, neighbouring lanes taking neighbouring splits (shaders/gemm_common.glsl).
  const bool split_in_x = texel_path && splits > 1 && blocks_x < 8;
  if (split_in_x && a_shuffle) throw Error("gemm: internal: a shuffled A with splits along x");
  if (split_in_x && !given_texel) {
    texel_workgroup(blocks_x * splits, 1);
    gy = (g.M + wy * tm - 1) / (wy * tm);
  }
  const uint32_t grid_x = split_in_x ? (blocks_x * splits + wx - 1) / wx : gx, grid_z = split_in_x ? 1 : splits;
  q.a_shuffle = a_shuffle, q.tm = tm, q.tn = tn, q.wx = wx, q.wy = wy, q.gx = gx, q.gy = gy;
  q.splits = splits, q.k_chunk = k_chunk, q.split_in_x = split_in_x, q.grid_x = grid_x, q.grid_z = grid_z;
  return q;
}

// The shader gemm() dispatches for this plan.
std::string kernel_stem(const Gemm& g, const GemmPlan& q) {
  switch (q.path) {
    case GemmPath::Texel:
      return std::string(g.maxpool_cells ? "gemm_texel_maxpool" : "gemm_texel") + (q.a_shuffle ? "_sg" : "");
    case GemmPath::TiledVec4: return "gemm_tiled_vec4";
    case GemmPath::Subgroup: return "gemm_subgroup";
    default: return "gemm_tiled";
  }
}

}  // namespace

std::string gemm_kernel(const Context& ctx, const Gemm& g_in, DeviceSpan a, DeviceSpan b, DeviceSpan bias,
                        DeviceSpan c) {
  const Gemm g = packed(g_in);
  return kernel_stem(g, plan(ctx, g, gemm_path(ctx, g, a, b, g.bias == BiasMode::None ? a : bias, c), g.tiles));
}

Gemm::Tiles gemm_default_tiles(const KernelPolicy& p, GemmPath path) {
  if (path != GemmPath::Subgroup) return {16, 16, 4, 4};
  const uint32_t lanes = std::max(p.subgroup_size, 1u);
  return {lanes, std::max(128 / lanes, 1u), 4, 4};
}

bool vec4_gemm_ok(const Gemm& g_in, DeviceSpan a, DeviceSpan b, const Gemm::Tiles& t) {
  const Gemm g = packed(g_in);
  // Every quad starts at a float index that is a multiple of 4 from a 16-byte aligned binding:
  // the rows (ld), the products (batch strides), the panels (BM, BN; BK is 16).
  const bool strides_ok = g.batch <= 1 || (g.stride_a % 4 == 0 && g.stride_b % 4 == 0);
  return g.lda % 4 == 0 && g.ldb % 4 == 0 && strides_ok && a.offset % 16 == 0 && b.offset % 16 == 0 &&
         (t.wy * t.tm) % 4 == 0 && (t.wx * t.tn) % 4 == 0;
}

bool subgroup_gemm_ok(const KernelPolicy& p) {
  return p.subgroup_shuffle && p.subgroup_size > 0 && p.subgroup_size <= p.max_workgroup_x &&
         p.subgroup_size <= p.max_workgroup_invocations;
}

bool texel_gemm_by_default(const KernelPolicy& p) {
  return p.vec4_texels && (p.gemm == GemmChoice::Texel || (p.gemm == GemmChoice::Auto && p.cpu_driver));
}

std::string gemm_path_name(GemmPath p) {
  switch (p) {
    case GemmPath::Texel: return "texel";
    case GemmPath::Tiled: return "tiled";
    case GemmPath::TiledVec4: return "vec4";
    case GemmPath::Subgroup: return "subgroup";
    default: return "auto";
  }
}

GemmPath gemm_path(const Context& ctx, const Gemm& g_in, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c) {
  const Gemm g = packed(g_in);
  const KernelPolicy& policy = ctx.policy();
  // An M- or N-contiguous operand read as vec4s may have any M or N: its last vec4 stays
  // inside the row's padding (ld is a multiple of 4) or the buffer's 16-byte tail.
  const bool a_ok = texel_read(g.lda, !g.trans_a, g.K, a, ctx) != TexelRead::No;
  const bool b_ok = texel_read(g.ldb, g.trans_b, g.K, b, ctx) != TexelRead::No;
  const bool bias_ok = g.bias == BiasMode::None || (bias.offset % 16 == 0 && bias.buffer->texel_capable());
  // Batched products read at z·stride: whole vec4s only where every stride is.
  const bool strides_ok = g.batch <= 1 || (g.stride_a % 4 == 0 && g.stride_b % 4 == 0 && g.stride_c % 4 == 0);
  const bool texel_ok = a_ok && b_ok && bias_ok && strides_ok && policy.vec4_texels;
  (void)c;

  GemmPath want = g.path;
  if (want == GemmPath::Auto) {
    switch (policy.gemm) {
      case GemmChoice::Texel: want = GemmPath::Texel; break;
      case GemmChoice::Tiled: want = GemmPath::Tiled; break;
      case GemmChoice::Vec4: want = GemmPath::TiledVec4; break;
      case GemmChoice::Subgroup: want = GemmPath::Subgroup; break;
      default: break;
    }
  }
  const bool cpu = policy.cpu_driver;
  if (want == GemmPath::Auto) want = cpu && texel_ok ? GemmPath::Texel : GemmPath::Tiled;
  if (want == GemmPath::Texel && !texel_ok) want = GemmPath::Tiled;
  if (want == GemmPath::TiledVec4 && !vec4_gemm_ok(g, a, b, g.tiles.wx ? g.tiles : gemm_default_tiles(policy, want)))
    want = GemmPath::Tiled;
  if (want == GemmPath::Subgroup && !subgroup_gemm_ok(policy)) want = GemmPath::Tiled;
  return want;
}

void gemm(Stream& s, const Gemm& g_in, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c) {
  const Gemm g = packed(g_in);
  if (g.M == 0 || g.N == 0 || g.batch == 0) return;
  if (g.batch > 1) {  // every product must fit; checked on the last one
    if (g.maxpool_cells || g.c_block) throw Error("gemm: a batched product takes no max pool or c_block");
    const uint64_t last = g.batch - 1;
    const auto tail = [&](DeviceSpan x, uint64_t off) {
      if (x.count < off) throw Error("gemm: spans too small for the batch");
      return x.sub(off, x.count - off);
    };
    require_fits("A", tail(a, last * g.stride_a), g.trans_a ? g.K : g.M, g.trans_a ? g.M : g.K, g.lda);
    require_fits("B", tail(b, last * g.stride_b), g.trans_b ? g.N : g.K, g.trans_b ? g.K : g.N, g.ldb);
    require_fits("C", tail(c, last * g.stride_c), g.M, g.N, g.ldc);
  }
  if (g.pool_channels_last && g.M % 4) throw Error("gemm: channels-last pooled tensors need M % 4 == 0");
  if (g.pooled_cells) {
    if (g.trans_a || g.K % 4 || g.batch > 1 || g.maxpool_cells) throw Error("gemm: bad pooled-A shape");
    require_fits("pooled dy", a, 1, uint64_t(g.K / 4) * g.M, 0);
    require_fits("pooled argmax", g.pooled_argmax, 1, uint64_t(g.K / 4) * g.M, 0);
  } else {
    require_fits("A", a, g.trans_a ? g.K : g.M, g.trans_a ? g.M : g.K, g.lda);
  }
  require_fits("B", b, g.trans_b ? g.N : g.K, g.trans_b ? g.K : g.N, g.ldb);
  if (g.maxpool_cells) {
    if (g.N % 4 || (g.N / 4) % g.maxpool_cells || g.c_block) throw Error("gemm: bad max-pool shape");
    require_fits("C", c, 1, uint64_t(g.M) * g.N / 4, 0);
    require_fits("argmax", g.maxpool_argmax, 1, uint64_t(g.M) * g.N / 4, 0);
  } else if (g.c_block) {
    if (g.N % g.c_block) throw Error("gemm: c_block must divide N");
    require_fits("C", c, 1, uint64_t(g.M) * g.N, 0);
  } else {
    require_fits("C", c, g.M, g.N, g.ldc);
  }
  if (g.bias != BiasMode::None) require_fits("bias", bias, 1, g.bias == BiasMode::PerColumn ? g.N : g.M, 0);
  // An unused bias binding still needs a valid buffer: bind A in its place.
  const DeviceSpan bias_or_a = g.bias == BiasMode::None ? a : bias;

  Context& ctx = s.context();
  GemmPath path = gemm_path(ctx, g, a, b, bias_or_a, c);
  Gemm::Tiles tiles = g.tiles;
  if (g.path == GemmPath::Auto) {  // nothing forced: the plan's kernel (measured, with --autotune)
    const GemmVariant v = plan_gemm(ctx, g, a, b, bias_or_a, c, path);
    path = v.path;
    tiles = v.tiles;
  }
  const GemmPlan q = plan(ctx, g, path, tiles);
  const bool texel_path = path == GemmPath::Texel;

  const uint32_t trans_a = g.trans_a, trans_b = g.trans_b;
  GemmPush push{g.M, g.N, g.K, g.lda, g.ldb, g.ldc, g.alpha, g.beta, static_cast<uint32_t>(g.bias),
                g.relu ? 1u : 0u, g.c_block, q.k_chunk, 0, g.stride_a, g.stride_b, g.stride_c};
  DeviceSpan target = c;
  if (q.splits > 1) {  // partial slabs first; beta is applied when they are summed into C
    push.beta = 0.0f;
    push.split_stride = g.M * g.N;
    target = g.split_scratch.sub(0, uint64_t(q.splits) * g.M * g.N);
  }
  const Access c_access = push.beta != 0.0f ? Access::ReadWrite : Access::Write;
  const Arg c_arg{target.buffer, target.offset, target.bytes(), c_access, false};

  if (g.maxpool_cells && !texel_path) throw Error("gemm: the fused max pool needs the texel kernel");
  if (g.pooled_cells && !texel_path) throw Error("gemm: a pooled A operand needs the texel kernel");
  if (texel_path) {
    const bool a_r32 = !g.pooled_cells && texel_read(g.lda, !g.trans_a, g.K, a, ctx) == TexelRead::Scalar;
    const bool b_r32 = texel_read(g.ldb, g.trans_b, g.K, b, ctx) == TexelRead::Scalar;
    // A pooled A (and its winners) is read one float per fetch, or 4 rows per fetch channels-last.
    const bool pooled_r32 = g.pooled_cells && !g.pool_channels_last;
    const Arg a_arg = a_r32 || pooled_r32 ? texel_r32(a) : texel(a), b_arg = b_r32 ? texel_r32(b) : texel(b);
    // The pooled A's winners ride in the bias binding (a pooled A takes no bias).
    const Arg bias_arg = !g.pooled_cells ? texel(bias_or_a)
                         : pooled_r32    ? texel_r32(g.pooled_argmax)
                                         : texel(g.pooled_argmax);
    const uint32_t pool_nhwc = g.pool_channels_last;
    // The epilogue's choices and the k-tail are specialization constants, not push-constant
    // tests: llvmpipe runs every branch with lanes masked, so an untaken path still costs its
    // loads and stores (shaders/gemm_texel.glsl).
    const uint32_t k_tail = g.K % 4 != 0, bias_mode = static_cast<uint32_t>(g.bias), relu = g.relu;
    const uint32_t fetch_8 = (q.k_chunk ? q.k_chunk : g.K) >= 128;  // shaders/gemm_texel_body.glsl
    GemmTexelConstants k;
    k.TM = q.tm, k.TN = q.tn, k.TRANS_A = trans_a, k.TRANS_B = trans_b, k.A_R32 = a_r32, k.B_R32 = b_r32;
    k.K_TAIL = k_tail, k.EPI_BIAS = bias_mode, k.EPI_RELU = relu, k.FETCH_8 = fetch_8, k.POOL_NHWC = pool_nhwc;
    if (g.maxpool_cells) {  // the pooled maxima and their cells instead of C; never split
      k.SPLIT_IN_X = 0, k.PHW = g.maxpool_cells, k.EPI_BETA = 0, k.VEC4_STORE = 0, k.C_BLOCKED = 0, k.A_POOLED = 0;
      k.A_PHW = 0;
      KernelSpec spec{kernel_stem(g, q),
                      {BindingKind::Texel, BindingKind::Texel, BindingKind::Texel, BindingKind::Storage,
                       BindingKind::Storage},
                      sizeof(GemmPush),
                      {q.wx, q.wy, 1},
                      k.values()};
      const uint64_t pooled = uint64_t(g.M) * g.N / 4;
      s.dispatch(ctx.kernel(spec),
                 {a_arg, b_arg, texel(bias_or_a), out(c.sub(0, pooled)), out(g.maxpool_argmax.sub(0, pooled))},
                 push, {q.gx, q.gy, 1});
      return;
    }
    const uint32_t vec4_store = (g.c_block == 0 ? g.ldc % 4 == 0 : g.c_block % 4 == 0) &&
                                push.split_stride % 4 == 0 && g.stride_c % 4 == 0 && g.N % 4 == 0;
    k.SPLIT_IN_X = q.split_in_x, k.PHW = 0, k.EPI_BETA = push.beta != 0.0f, k.VEC4_STORE = vec4_store;
    k.C_BLOCKED = g.c_block != 0, k.A_POOLED = g.pooled_cells != 0, k.A_PHW = std::max(g.pooled_cells, 1u);
    KernelSpec spec{kernel_stem(g, q),
                    {BindingKind::Texel, BindingKind::Texel, BindingKind::Texel, BindingKind::Storage},
                    sizeof(GemmPush),
                    {q.wx, q.wy, 1},
                    k.values()};
    s.dispatch(ctx.kernel(spec), {a_arg, b_arg, bias_arg, c_arg}, push, {q.grid_x, q.gy, q.grid_z * g.batch});
  } else if (path == GemmPath::Subgroup) {
    KernelSpec spec{kernel_stem(g, q),
                    {BindingKind::Storage, BindingKind::Storage, BindingKind::Storage, BindingKind::Storage},
                    sizeof(GemmPush),
                    {q.wx, q.wy, 1},
                    {q.tm, q.tn, trans_a, trans_b}};
    s.dispatch(ctx.kernel(spec), {in(a), in(b), in(bias_or_a), c_arg}, push, {q.gx, q.gy, q.splits * g.batch});
  } else {  // tiled, scalar or vec4 loads
    const uint32_t bk = 16;
    KernelSpec spec{kernel_stem(g, q),
                    {BindingKind::Storage, BindingKind::Storage, BindingKind::Storage, BindingKind::Storage},
                    sizeof(GemmPush),
                    {q.wx, q.wy, 1},
                    {q.tm, q.tn, trans_a, trans_b, bk},
                    (bk * q.wy * q.tm + bk * q.wx * q.tn) * 4};
    s.dispatch(ctx.kernel(spec), {in(a), in(b), in(bias_or_a), c_arg}, push, {q.gx, q.gy, q.splits * g.batch});
  }
  if (q.splits > 1) strided_sum(s, c, target, g.M * g.N, q.splits, 1, g.M * g.N, g.beta);
}

}  // namespace vkt::nn
