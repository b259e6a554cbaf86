#include "nn/ops/conv2d_winograd_f33.hpp"

#include <algorithm>
#include <string>

#include "nn/ops/conv2d_im2col.hpp"
#include "nn/ops/conv2d_winograd.hpp"
#include "nn/ops/strided_sum.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

constexpr uint32_t kPositions = 25;  // ξ: the 5x5 transformed tile

struct Tiles {
  uint32_t th, tw;
  uint64_t count;  // T
};
Tiles tiles_of(const Conv2dShape& c) { return {c.OH() / 3, c.OW() / 3, uint64_t(c.N) * (c.OH() / 3) * (c.OW() / 3)}; }

// One invocation per tile (or input channel) and group of 4 channels, in workgroups of 64 (or the plan's width),
// over the 3x3 tile grid; y and dy are NCHW (a channels-last y needs a fused pool).
void dispatch_transform(Stream& s, const char* shader, const Conv2dPlan& c, std::vector<BindingKind> bindings,
                        std::initializer_list<Arg> args, uint64_t invocations, std::vector<uint32_t> extra = {}) {
  const Tiles t = tiles_of(c);
  const Kernel& k =
      winograd_transform_kernel(s.context(), shader, c, t.th, t.tw, false, std::move(bindings), std::move(extra),
                                {c.width_or(64), 1, 1});
  s.dispatch(k, args, WinogradPush{c.N}, groups_1d(invocations, c.width_or(64)));
}

struct Sizes {
  uint64_t v, m, u;  // floats: V and dV (and dd), M and dM, U and dU
};
Sizes sizes_of(const Conv2dShape& c) {
  const uint64_t T = tiles_of(c).count;
  return {kPositions * T * c.C, kPositions * T * c.K, uint64_t(kPositions) * c.C * c.K};
}

void require_workspace(const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  const Sizes z = sizes_of(c);
  require_span("conv2d winograd F(3,3)", "v", ws.v, z.v);
  require_span("conv2d winograd F(3,3)", "t", ws.t, z.m);
  require_span("conv2d winograd F(3,3)", "w_gemm", ws.w_gemm, z.u);
  require_span("conv2d winograd F(3,3)", "partials", ws.partials, z.u);
  require_span("conv2d winograd F(3,3)", "col", ws.col, z.v);
}

}  // namespace

bool winograd_f33_shape_ok(const Conv2dShape& c) {
  return c.R == 3 && c.S == 3 && c.sh == 1 && c.sw == 1 && c.pool == 0 && c.C % 4 == 0 && c.K % 4 == 0 &&
         c.OH() % 3 == 0 && c.OW() % 3 == 0;
}

bool winograd_f33_device_ok(const Conv2dShape& c, const KernelPolicy& p) {
  if (!p.winograd || !p.winograd_f33) return false;
  const Sizes z = sizes_of(c);
  const uint64_t largest = std::max(z.m, z.v);
  return p.vec4_texels && largest / 4 <= p.max_texel_elements && largest * 4 <= p.max_storage_buffer_range &&
         largest <= 0xffffffffull;
}

Conv2dWorkspaceSize winograd_f33_workspace_size(const Conv2dShape& c) {
  const Sizes z = sizes_of(c);
  return {z.v, z.m, z.u, z.u, 0, z.v};
}

void winograd_f33_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                          const Conv2dWorkspace& ws, bool relu) {
  require_workspace(c, ws);
  require_span("conv2d winograd F(3,3)", "x", x, uint64_t(c.N) * c.C * c.H * c.W);
  require_span("conv2d winograd F(3,3)", "w", w, uint64_t(c.K) * c.CRS());
  require_span("conv2d winograd F(3,3)", "y", y, c.out_count());
  const Sizes z = sizes_of(c);
  const uint64_t T = tiles_of(c).count;
  const DeviceSpan u = ws.w_gemm.sub(0, z.u), v = ws.v.sub(0, z.v), m = ws.t.sub(0, z.m);
  dispatch_transform(s, "winograd33_filter", c, {BindingKind::Texel, BindingKind::Storage},
                     {texel_r32(w.sub(0, uint64_t(c.K) * c.CRS())), out(u)}, uint64_t(c.C) * (c.K / 4));
  const DeviceSpan xs = x.sub(0, uint64_t(c.N) * c.C * c.H * c.W);
  dispatch_transform(s, "winograd33_input", c, {BindingKind::Texel, BindingKind::Storage},
                     {c.x_channels_last ? texel(xs) : texel_r32(xs), out(v)}, T * (c.C / 4));
  winograd_batched_gemm(s, kPositions, static_cast<uint32_t>(T), c.K, c.C, false, false, v, u, m);
  const bool bias = !b.empty();
  dispatch_transform(s, "winograd33_output", c, {BindingKind::Texel, BindingKind::Texel, BindingKind::Storage},
                     {texel(m), texel_r32(bias ? b.sub(0, c.K) : m.sub(0, 4)), out(y.sub(0, c.out_count()))},
                     T * (c.K / 4), {relu ? 1u : 0u, bias ? 1u : 0u});
}

void winograd_f33_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, const Conv2dPlan& c,
                                  const Conv2dWorkspace& ws) {
  require_workspace(c, ws);
  require_span("conv2d winograd F(3,3)", "dy", dy, c.out_count());
  require_span("conv2d winograd F(3,3)", "dw", dw, uint64_t(c.K) * c.CRS());
  const Sizes z = sizes_of(c);
  const uint64_t T = tiles_of(c).count;
  const DeviceSpan dm = ws.t.sub(0, z.m), du = ws.partials.sub(0, z.u);
  dispatch_transform(s, "winograd33_output_backward", c, {BindingKind::Texel, BindingKind::Storage},
                     {texel_r32(dy.sub(0, c.out_count())), out(dm)}, T * (c.K / 4));
  // db[k] = Σ_t (sum of dY's 9 cells) = Σ_t dM[6][t][k]: Aᵀ's column for the point 1 is all
  // ones, so position ξ = (1, 1) of A dY Aᵀ is the sum of the tile's gradient.
  if (!db.empty()) strided_sum(s, db, dm.sub(6ull * T * c.K, T * c.K), c.K, static_cast<uint32_t>(T), 1, c.K);
  winograd_batched_gemm(s, kPositions, c.C, c.K, static_cast<uint32_t>(T), true, false, ws.v.sub(0, z.v), dm, du);
  dispatch_transform(s, "winograd33_filter_backward", c, {BindingKind::Texel, BindingKind::Storage},
                     {texel(du), out(dw.sub(0, uint64_t(c.K) * c.CRS()))}, uint64_t(c.C) * (c.K / 4));
}

void winograd_f33_backward_data(Stream& s, DeviceSpan dx, const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  require_workspace(c, ws);
  require_span("conv2d winograd F(3,3)", "dx", dx, uint64_t(c.N) * c.C * c.H * c.W);
  const Sizes z = sizes_of(c);
  const uint64_t T = tiles_of(c).count;
  const DeviceSpan dv = ws.col.sub(0, z.v), dd = ws.v.sub(0, z.v);  // V is done with
  winograd_batched_gemm(s, kPositions, static_cast<uint32_t>(T), c.C, c.K, false, true, ws.t.sub(0, z.m),
                        ws.w_gemm.sub(0, z.u), dv);  // dV_ξ (T, C) = dM_ξ (T, K) · U_ξᵀ
  dispatch_transform(s, "winograd33_input_backward", c, {BindingKind::Texel, BindingKind::Storage},
                     {texel(dv), out(dd)}, T * (c.C / 4));
  // dd's rows are the tiles and its columns the 5x5 patch: col2im of a 5x5, stride-3
  // "convolution" with the same padding, whose output grid is the tile grid.
  Conv2dPlan patches = c;
  patches.R = patches.S = 5;
  patches.sh = patches.sw = 3;
  patches.route = Conv2dRoute::Im2col;
  col2im_channels_last(s, dx, dd, patches);
}

}  // namespace vkt::nn
