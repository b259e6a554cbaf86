#include "nn/ops/conv2d.hpp"

#include "nn/ops/gemm.hpp"
#include "nn/ops/layout.hpp"
#include "nn/ops/strided_sum.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// Mirrors shaders/conv2d_common.glsl: the batch is pushed, the geometry is specialized.
struct Conv2dPush {
  uint32_t N;
};

Conv2dPush push_for(const Conv2dShape& c) { return {c.N}; }

// im2col and col2im read through R32F texel views.
const Kernel& geometry_kernel(Context& ctx, const char* shader, const Conv2dShape& c) {
  return ctx.kernel({shader,
                     {BindingKind::Texel, BindingKind::Storage},
                     sizeof(Conv2dPush),
                     {64, 1, 1},
                     {c.C, c.H, c.W, c.R, c.S, c.OH(), c.OW(), c.sh, c.sw, c.ph, c.pw, c.CRSp()}});
}

// The weights as a (K, CRSp) matrix with vec4-aligned rows.
DeviceSpan padded_weights(Stream& s, DeviceSpan w, const Conv2dShape& c, const Conv2dWorkspace& ws) {
  if (c.CRS() == c.CRSp()) return w;
  require_span("conv2d", "w_pad", ws.w_pad, uint64_t(c.K) * c.CRSp());
  pad_rows(s, ws.w_pad, w, c.K, c.CRS(), c.CRS(), c.CRSp());
  return ws.w_pad;
}

}  // namespace

void Conv2dShape::validate() const {
  if (!N || !C || !H || !W || !K || !R || !S || !sh || !sw)
    throw InputError("conv2d: every size and stride must be positive");
  if (H + 2 * ph < R || W + 2 * pw < S)
    throw InputError("conv2d: a " + std::to_string(R) + "x" + std::to_string(S) + " kernel does not fit a " +
                     std::to_string(H) + "x" + std::to_string(W) + " input with padding " + std::to_string(ph) + "," +
                     std::to_string(pw));
}

Conv2dWorkspaceSize conv2d_workspace_size(const Conv2dShape& c) {
  return {uint64_t(c.P()) * c.CRSp(), uint64_t(c.K) * c.P(), c.CRS() == c.CRSp() ? 0 : uint64_t(c.K) * c.CRSp(),
          gemm_split_scratch_floats(c.K, c.CRS())};
}

void conv2d_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dShape& c,
                    const Conv2dWorkspace& ws, bool relu) {
  c.validate();
  const uint64_t P = c.P(), ohw = uint64_t(c.OH()) * c.OW();
  require_span("conv2d", "x", x, uint64_t(c.N) * c.C * c.H * c.W);
  require_span("conv2d", "w", w, uint64_t(c.K) * c.CRS());
  require_span("conv2d", "y", y, P * c.K);
  require_span("conv2d", "col", ws.col, P * c.CRSp());

  const Conv2dPush push = push_for(c);
  s.dispatch(geometry_kernel(s.context(), "im2col", c),
             {texel_r32(x.sub(0, uint64_t(c.N) * c.C * c.H * c.W)), out(ws.col.sub(0, P * c.CRSp()))}, push,
             groups_1d(P * c.C, 64));
  const DeviceSpan wp = padded_weights(s, w, c, ws);
  Gemm g;  // y (K, P) = w (K, CRSp) · colᵀ, bias per row = per output channel, stored NCHW
  g.M = c.K;
  g.N = static_cast<uint32_t>(P);
  g.K = c.CRSp();
  g.trans_b = true;
  g.bias = b.empty() ? BiasMode::None : BiasMode::PerRow;
  g.relu = relu;
  g.c_block = static_cast<uint32_t>(ohw);
  gemm(s, g, wp, ws.col, b, y);
}

void conv2d_backward(Stream& s, DeviceSpan dx, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan w,
                     const Conv2dShape& c, const Conv2dWorkspace& ws) {
  conv2d_backward_weight(s, dw, db, dy, c, ws);
  if (!dx.empty()) conv2d_backward_data(s, dx, w, c, ws);
}

void conv2d_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, const Conv2dShape& c,
                            const Conv2dWorkspace& ws) {
  c.validate();
  const uint64_t P = c.P(), ohw = uint64_t(c.OH()) * c.OW();
  require_span("conv2d", "dy", dy, P * c.K);
  require_span("conv2d", "dw", dw, uint64_t(c.K) * c.CRS());
  require_span("conv2d", "col", ws.col, P * c.CRSp());
  require_span("conv2d", "t", ws.t, P * c.K);
  swap_axes01(s, ws.t, dy, c.N, c.K, static_cast<uint32_t>(ohw));  // dy' (K, N·OHW)
  Gemm g;  // dw (K, CRS) = dy' (K, P) · col (P, CRSp), the padding columns not computed
  g.M = c.K;
  g.N = c.CRS();
  g.K = static_cast<uint32_t>(P);
  g.ldb = c.CRSp();
  g.ldc = c.CRS();
  g.split_scratch = ws.partials;
  gemm(s, g, ws.t, ws.col, {}, dw);
  if (!db.empty()) strided_sum(s, db, ws.t, c.K, static_cast<uint32_t>(P), static_cast<uint32_t>(P), 1);
}

void conv2d_backward_data(Stream& s, DeviceSpan dx, DeviceSpan w, const Conv2dShape& c, const Conv2dWorkspace& ws) {
  c.validate();
  const uint64_t P = c.P();
  require_span("conv2d", "dx", dx, uint64_t(c.N) * c.C * c.H * c.W);
  require_span("conv2d", "col", ws.col, P * c.CRSp());
  require_span("conv2d", "t", ws.t, P * c.K);
  const DeviceSpan wp = padded_weights(s, w, c, ws);
  Gemm g;  // dcol (P, CRSp) = dy'ᵀ (P, K) · w (K, CRSp); col's forward contents are done with
  g.M = static_cast<uint32_t>(P);
  g.N = c.CRSp();
  g.K = c.K;
  g.trans_a = true;
  gemm(s, g, ws.t, wp, {}, ws.col);
  s.dispatch(geometry_kernel(s.context(), "col2im", c), {texel_r32(ws.col.sub(0, P * c.CRSp())), out(dx)},
             push_for(c), groups_1d(uint64_t(c.N) * c.C * c.H * c.W, 64));
}

}  // namespace vkt::nn
