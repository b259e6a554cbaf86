#include "nn/ops/conv2d_im2col.hpp"

#include <algorithm>
#include <array>

#include "nn/ops/gemm.hpp"
#include "nn/ops/layout.hpp"
#include "nn/ops/pool.hpp"
#include "nn/ops/strided_sum.hpp"
#include "nn/ops/uniform_store.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// Mirrors shaders/conv2d_common.glsl: the batch is pushed, the geometry is specialized.
struct Conv2dPush {
  uint32_t N;
  UniformStoreTable table;  // col2im_uniform
};

Conv2dPush push_for(const Conv2dPlan& c) { return {c.N}; }

// im2col and col2im read through R32F texel views; col2im over a channels-last dcol through an
// RGBA32F one (`channels_last`).
// With `uniform_store` (the col2im_uniform twins), workgroups of 8: one subgroup of 8 pixels.
const Kernel& geometry_kernel(Context& ctx, const char* shader, const Conv2dPlan& c, bool channels_last = false,
                              bool uniform_store = false) {
  return ctx.kernel({shader,
                     {BindingKind::Texel, BindingKind::Storage},
                     sizeof(Conv2dPush),
                     {uniform_store ? 8u : 64u, 1, 1},
                     {c.C, c.H, c.W, c.R, c.S, c.OH(), c.OW(), c.sh, c.sw, c.ph, c.pw, c.CRSp(), c.pool,
                      channels_last ? 1u : 0u, c.x_channels_last ? 1u : 0u}});
}

// Whether backward-data computes dcol with (r, s, c) columns (nn/ops/conv2d.hpp).
bool channels_last_dcol(const Context& ctx, const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  return c.C % 4 == 0 && !ws.w_gemm.empty() && vec4_texel_ok(ctx, ws.col);
}

// The weights as a (K, CRSp) matrix with vec4-aligned rows.
DeviceSpan padded_weights(Stream& s, DeviceSpan w, const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  if (c.CRS() == c.CRSp()) return w;
  require_span("conv2d", "w_gemm", ws.w_gemm, uint64_t(c.K) * c.CRSp());
  pad_rows(s, ws.w_gemm, w, c.K, c.CRS(), c.CRS(), c.CRSp());
  return ws.w_gemm;
}

// The first pooled layer's weight gradient in one product (conv2d.hpp, dx_needed): dW and db
// side by side, (K, CRS + 1) = dy' (K, rows) · [col | 1] (rows, CRS + 1), dy' read from dy and
// the winners. Replaces maxpool2x2_windows_backward's 5.5 MB dy' (cnn.conv1 at b64) and the
// bias partial sums. Returns false where it does not apply.
bool pooled_first_layer_weight_grad(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, const Conv2dPlan& c,
                                    const Conv2dWorkspace& ws) {
  if (!c.pool || c.CRS() == c.CRSp()) return false;
  const uint32_t cols = c.CRS() + 1;  // the last: im2col's column of ones
  Gemm g;
  g.M = c.K;
  g.N = cols;
  g.K = c.rows();
  g.ldb = c.CRSp();
  g.ldc = cols;
  g.split_scratch = ws.partials;
  g.pooled_cells = c.PH() * c.PW();
  g.pooled_argmax = ws.argmax;
  g.pool_channels_last = c.y_channels_last;
  const DeviceSpan both = ws.t.sub(0, uint64_t(c.K) * cols);
  if (gemm_path(s.context(), g, dy, ws.col, {}, both) != GemmPath::Texel) return false;
  gemm(s, g, dy, ws.col, {}, both);
  split_weight_bias(s, dw, db, both, c);
  return true;
}

}  // namespace

void im2col(Stream& s, DeviceSpan x, const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  const uint64_t rows = c.rows();
  require_span("conv2d", "x", x, uint64_t(c.N) * c.C * c.H * c.W);
  require_span("conv2d", "col", ws.col, rows * c.CRSp());
  s.dispatch(geometry_kernel(s.context(), "im2col", c),
             {texel_r32(x.sub(0, uint64_t(c.N) * c.C * c.H * c.W)), out(ws.col.sub(0, rows * c.CRSp()))}, push_for(c),
             groups_1d(rows, 64));
}

void split_weight_bias(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan both, const Conv2dShape& c) {
  const uint32_t cols = c.CRS() + 1;
  pad_rows(s, dw, both, c.K, c.CRS(), cols, c.CRS());
  if (!db.empty()) pad_rows(s, db, both, c.K, 1, cols, 1, c.CRS());
}

Conv2dWorkspaceSize im2col_workspace_size(const Conv2dPlan& c) {
  // partials: split-K slabs of the weight gradient, and before them (with a pool) the bias
  // gradient's partial sums.
  const uint64_t bias_partials = c.pool ? uint64_t(c.K) * maxpool2x2_windows_chunks(c.N, c.PH(), c.PW()) : 0;
  const bool w_gemm = c.CRS() != c.CRSp() || c.C % 4 == 0;
  return {uint64_t(c.rows()) * c.CRSp(), uint64_t(c.K) * c.rows(), w_gemm ? uint64_t(c.K) * c.CRSp() : 0,
          std::max<uint64_t>({gemm_split_scratch_floats(c.K, c.CRS() + 1), bias_partials}),
          c.pool ? c.out_count() : 0, 0};
}

void im2col_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                    const Conv2dWorkspace& ws, bool relu) {
  const uint64_t rows = c.rows(), ohw = uint64_t(c.OH()) * c.OW();
  require_span("conv2d", "w", w, uint64_t(c.K) * c.CRS());
  require_span("conv2d", "y", y, c.out_count());
  if (c.pool) {
    require_span("conv2d", "t", ws.t, rows * c.K);
    require_span("conv2d", "argmax", ws.argmax, c.out_count());
  }
  im2col(s, x, c, ws);
  const DeviceSpan wp = padded_weights(s, w, c, ws);
  Gemm g;  // y (K, rows) = w (K, CRSp) · colᵀ, bias per row = per output channel
  g.M = c.K;
  g.N = static_cast<uint32_t>(rows);
  g.K = c.CRSp();
  g.trans_b = true;
  g.bias = b.empty() ? BiasMode::None : BiasMode::PerRow;
  g.relu = relu;
  if (!c.pool) {
    g.c_block = static_cast<uint32_t>(ohw);  // stored NCHW
    gemm(s, g, wp, ws.col, b, y);
    return;
  }
  if (gemm_path(s.context(), g, wp, ws.col, b, ws.t) == GemmPath::Texel) {
    // Pooled straight from the GEMM's registers: the un-pooled output is never stored.
    g.maxpool_cells = c.PH() * c.PW();
    g.maxpool_argmax = ws.argmax;
    g.pool_channels_last = c.y_channels_last;
    gemm(s, g, wp, ws.col, b, y);
    return;
  }
  if (c.y_channels_last) throw Error("conv2d: a channels-last output needs the texel GEMM's fused pool");
  gemm(s, g, wp, ws.col, b, ws.t);  // channel-major and window-grouped: (K, windows, 4)
  maxpool2x2_windows_forward(s, y, ws.argmax, ws.t, c.N, c.K, c.PH(), c.PW(), relu);
}

void im2col_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan x, const Conv2dPlan& c,
                            const Conv2dWorkspace& ws, bool dx_needed) {
  (void)x;  // the column matrix forward left holds all backward-weight reads of x
  const uint64_t rows = c.rows(), ohw = uint64_t(c.OH()) * c.OW();
  require_span("conv2d", "dy", dy, c.out_count());
  require_span("conv2d", "dw", dw, uint64_t(c.K) * c.CRS());
  require_span("conv2d", "col", ws.col, rows * c.CRSp());
  require_span("conv2d", "t", ws.t, rows * c.K);
  if (!dx_needed && pooled_first_layer_weight_grad(s, dw, db, dy, c, ws)) return;
  if (c.y_channels_last) throw Error("conv2d: a channels-last dy needs the first layer's pooled weight gradient");
  if (c.pool) {
    require_span("conv2d", "argmax", ws.argmax, c.out_count());
    // dy' (K, rows), and the bias gradient from the partial sums the same pass leaves (before
    // the weight gradient's split-K slabs reuse their scratch).
    const uint32_t chunks = maxpool2x2_windows_chunks(c.N, c.PH(), c.PW());
    require_span("conv2d", "partials", ws.partials, uint64_t(c.K) * chunks);
    maxpool2x2_windows_backward(s, ws.t, ws.partials, dy, ws.argmax, c.N, c.K, c.PH(), c.PW());
    if (!db.empty()) strided_sum(s, db, ws.partials, c.K, chunks, chunks, 1);
  } else {
    swap_axes01(s, ws.t, dy, c.N, c.K, static_cast<uint32_t>(ohw));  // dy' (K, N·OHW)
  }
  Gemm g;  // dw (K, CRS) = dy' (K, rows) · col (rows, CRSp), the padding columns not computed
  g.M = c.K;
  g.N = c.CRS();
  g.K = static_cast<uint32_t>(rows);
  g.ldb = c.CRSp();
  g.ldc = c.CRS();
  g.split_scratch = ws.partials;
  gemm(s, g, ws.t, ws.col, {}, dw);
  if (!db.empty() && !c.pool) strided_sum(s, db, ws.t, c.K, static_cast<uint32_t>(rows), static_cast<uint32_t>(rows), 1);
}

void im2col_backward_data(Stream& s, DeviceSpan dx, DeviceSpan w, const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  const uint64_t rows = c.rows();
  require_span("conv2d", "dx", dx, uint64_t(c.N) * c.C * c.H * c.W);
  require_span("conv2d", "col", ws.col, rows * c.CRSp());
  require_span("conv2d", "t", ws.t, rows * c.K);
  const bool channels_last = channels_last_dcol(s.context(), c, ws);
  DeviceSpan wp;
  if (channels_last) {  // w (K, C, R·S) -> (K, R·S, C)
    require_span("conv2d", "w_gemm", ws.w_gemm, uint64_t(c.K) * c.CRS());
    swap_axes01(s, ws.w_gemm, w, c.C, c.R * c.S, 1, c.K);
    wp = ws.w_gemm;
  } else {
    wp = padded_weights(s, w, c, ws);
  }
  Gemm g;  // dcol (rows, CRSp) = dy'ᵀ (rows, K) · w (K, CRSp); col's forward contents are done with
  g.M = static_cast<uint32_t>(rows);
  g.N = c.CRSp();
  g.K = c.K;
  g.trans_a = true;
  gemm(s, g, ws.t, wp, {}, ws.col);
  const DeviceSpan dcol = ws.col.sub(0, rows * c.CRSp());
  if (channels_last) return col2im_channels_last(s, dx, dcol, c);
  s.dispatch(geometry_kernel(s.context(), "col2im", c), {texel_r32(dcol), out(dx)}, push_for(c),
             groups_1d(uint64_t(c.N) * c.C * c.H * c.W, 64));
}

void col2im_channels_last(Stream& s, DeviceSpan dx, DeviceSpan dcol, const Conv2dPlan& c) {
  require_span("conv2d", "dx", dx, uint64_t(c.N) * c.C * c.H * c.W);
  require_span("conv2d", "dcol", dcol, uint64_t(c.rows()) * c.CRSp());
  if (c.C % 4) throw Error("col2im_channels_last: C must be a multiple of 4");
  // A channels-last dx of whole 8-pixel workgroups stores the uniform way (shaders/col2im.glsl):
  // at most 16 groups of 4 channels per pixel (registers); two floats per store component on
  // devices with 64-bit integers (col2im_uniform_u64).
  const uint64_t pixels = uint64_t(c.N) * c.H * c.W;
  const bool uniform = c.x_channels_last && c.C <= 64 && pixels % 8 == 0 && uniform_store_ok(s.context(), pixels / 8);
  const char* shader = !uniform ? "col2im" : s.context().info().int64 ? "col2im_uniform_u64" : "col2im_uniform";
  s.dispatch(geometry_kernel(s.context(), shader, c, true, uniform),
             {texel(dcol.sub(0, uint64_t(c.rows()) * c.CRSp())), out(dx)}, push_for(c),
             uniform ? std::array<uint32_t, 3>{static_cast<uint32_t>(pixels / 8), 1, 1}
                     : groups_1d(uint64_t(c.N) * c.C * c.H * c.W / 4, 64));
}

}  // namespace vkt::nn
