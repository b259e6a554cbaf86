#include "nn/ops/conv2d_winograd.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "nn/ops/conv2d_im2col.hpp"
#include "nn/ops/gemm.hpp"
#include "nn/ops/strided_sum.hpp"
#include "nn/ops/uniform_store.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// Whether a transform writing `quads` vec4s per tile can store the uniform way
// (shaders/uniform_store.glsl): whole subgroups per tile, and the device and grid allow it.
bool tile_uniform_store_ok(const Context& ctx, uint64_t tiles, uint32_t quads) {
  return quads % 8 == 0 && uniform_store_ok(ctx, tiles * quads / 8);
}

// An F(2x2, 3x3) transform: its tile grid is the pooled output.
const Kernel& transform_kernel(Context& ctx, const std::string& shader, const Conv2dPlan& c, std::vector<BindingKind> bindings,
                               std::vector<uint32_t> extra = {}, uint32_t width = 0) {
  return winograd_transform_kernel(ctx, shader, c, c.PH(), c.PW(), c.y_channels_last, std::move(bindings),
                                   std::move(extra), {width ? width : c.width_or(64), 1, 1});
}

// Dispatches a transform with one invocation per tile and group of 4 channels (or filters),
// `quads` groups per tile, storing the uniform way where it can (shaders/uniform_store.glsl):
// 8-invocation workgroups and, on a device with 64-bit integers, the *_u64 twin (two floats
// per store component). Else workgroups of 64 (or the plan's width) and the plain shader.
void dispatch_tile_transform(Stream& s, const char* name, const Conv2dPlan& c, std::vector<BindingKind> bindings,
                             std::initializer_list<Arg> args, uint64_t tiles, uint32_t quads) {
  Context& ctx = s.context();
  const bool uniform = !c.local_x && tile_uniform_store_ok(ctx, tiles, quads);
  const uint32_t wg = uniform ? 8 : c.width_or(64);
  std::string shader = name;
  if (uniform && ctx.policy().int64) shader += "_u64";
  s.dispatch(transform_kernel(ctx, shader, c, std::move(bindings), {uniform ? 1u : 0u}, wg), args,
             WinogradPush{c.N}, groups_1d(tiles * quads, wg));
}

// x, and a pooled tensor (dy, the winners), as the transforms read them: 4 channels per fetch
// when channels-last, else one float.
Arg image_view(DeviceSpan x, const Conv2dPlan& c) { return c.x_channels_last ? texel(x) : texel_r32(x); }
Arg pooled_view(DeviceSpan t, const Conv2dPlan& c) { return c.y_channels_last ? texel(t) : texel_r32(t); }

void require_workspace(const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  const Conv2dWorkspaceSize z = winograd_workspace_size(c);
  require_span("conv2d winograd", "v", ws.v, z.v);
  require_span("conv2d winograd", "t", ws.t, z.t);
  require_span("conv2d winograd", "w_gemm", ws.w_gemm, z.w_gemm);
  require_span("conv2d winograd", "partials", ws.partials, z.partials);
  require_span("conv2d winograd", "col", ws.col, z.col);
  require_span("conv2d winograd", "argmax", ws.argmax, z.argmax);
}

void batched_gemm(Stream& s, uint32_t M, uint32_t N, uint32_t K, bool trans_a, bool trans_b, DeviceSpan a,
                  DeviceSpan b, DeviceSpan out) {
  winograd_batched_gemm(s, 16, M, N, K, trans_a, trans_b, a, b, out);
}

}  // namespace

const Kernel& winograd_transform_kernel(Context& ctx, const std::string& shader, const Conv2dPlan& c, uint32_t th,
                                        uint32_t tw, bool y_nhwc, std::vector<BindingKind> bindings,
                                        std::vector<uint32_t> extra, std::array<uint32_t, 3> local_size) {
  std::vector<uint32_t> constants{c.C, c.K, c.H, c.W, c.ph, c.pw, th, tw};
  extra.resize(2, 0u);
  constants.insert(constants.end(), extra.begin(), extra.end());
  constants.push_back(c.x_channels_last);
  constants.push_back(y_nhwc);
  return ctx.kernel({shader, std::move(bindings), sizeof(WinogradPush), local_size, std::move(constants)});
}

void winograd_batched_gemm(Stream& s, uint32_t positions, uint32_t M, uint32_t N, uint32_t K, bool trans_a,
                           bool trans_b, DeviceSpan a, DeviceSpan b, DeviceSpan out) {
  Gemm g;
  g.M = M, g.N = N, g.K = K, g.trans_a = trans_a, g.trans_b = trans_b;
  g.batch = positions;
  g.stride_a = M * K, g.stride_b = K * N, g.stride_c = M * N;
  gemm(s, g, a, b, {}, out);
}

bool winograd_shape_ok(const Conv2dShape& c) {
  return c.R == 3 && c.S == 3 && c.sh == 1 && c.sw == 1 && c.pool == 2 && c.C % 4 == 0 && c.K % 4 == 0 &&
         c.OH() >= 2 && c.OW() >= 2;
}

WinogradSizes winograd_sizes(const Conv2dShape& c) {
  const uint64_t T = uint64_t(c.N) * c.PH() * c.PW();
  return {16 * T * c.C, 16 * T * c.K, 16ull * c.C * c.K, 16ull * c.C * c.K, 16 * T * c.C, T};
}

Conv2dWorkspaceSize winograd_workspace_size(const Conv2dShape& c) {
  const WinogradSizes z = winograd_sizes(c);
  return {z.dv, z.m, z.u, z.du, c.out_count(), z.v};
}

bool winograd_device_ok(const Conv2dShape& c, const KernelPolicy& p) {
  if (!p.winograd) return false;
  const WinogradSizes z = winograd_sizes(c);
  // Its buffers must fit where the im2col route's might (K much larger than C makes M, 16·T·K,
  // larger than im2col's 36·T·C column matrix): then the layer keeps the im2col route.
  const uint64_t largest = std::max(z.m, z.v);
  return p.vec4_texels && largest / 4 <= p.max_texel_elements && largest * 4 <= p.max_storage_buffer_range &&
         largest <= 0xffffffffull;
}

void winograd_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                      const Conv2dWorkspace& ws, bool relu) {
  require_workspace(c, ws);
  const WinogradSizes z = winograd_sizes(c);
  const uint32_t T = static_cast<uint32_t>(z.tiles);
  Context& ctx = s.context();
  const WinogradPush push{c.N};
  const DeviceSpan u = ws.w_gemm.sub(0, z.u);
  s.dispatch(transform_kernel(ctx, "winograd_filter", c, {BindingKind::Texel, BindingKind::Storage}),
             {texel_r32(w.sub(0, uint64_t(c.K) * c.CRS())), out(u)}, push, groups_1d(c.C * (c.K / 4), c.width_or(64)));
  dispatch_tile_transform(s, "winograd_input", c, {BindingKind::Texel, BindingKind::Storage},
                          {image_view(x.sub(0, uint64_t(c.N) * c.C * c.H * c.W), c), out(ws.v.sub(0, z.v))}, T,
                          c.C / 4);
  const DeviceSpan m = ws.t.sub(0, z.m);
  batched_gemm(s, T, c.K, c.C, false, false, ws.v, u, m);
  const bool bias = !b.empty();
  s.dispatch(transform_kernel(ctx, "winograd_output_pool", c,
                              {BindingKind::Texel, BindingKind::Texel, BindingKind::Storage, BindingKind::Storage},
                              {relu ? 1u : 0u, bias ? 1u : 0u}),
             {texel(m), texel_r32(bias ? b.sub(0, c.K) : m.sub(0, 4)), out(y.sub(0, c.out_count())),
              out(ws.argmax.sub(0, c.out_count()))},
             push, groups_1d(uint64_t(T) * (c.K / 4), c.width_or(64)));
}

void winograd_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, const Conv2dPlan& c,
                              const Conv2dWorkspace& ws) {
  require_workspace(c, ws);
  require_span("conv2d winograd", "dy", dy, c.out_count());
  require_span("conv2d winograd", "dw", dw, uint64_t(c.K) * c.CRS());
  const WinogradSizes z = winograd_sizes(c);
  const uint32_t T = static_cast<uint32_t>(z.tiles);
  Context& ctx = s.context();
  const DeviceSpan dm = ws.t.sub(0, z.m);
  dispatch_tile_transform(
      s, "winograd_output_pool_backward", c, {BindingKind::Texel, BindingKind::Texel, BindingKind::Storage},
      {pooled_view(dy.sub(0, c.out_count()), c), pooled_view(ws.argmax.sub(0, c.out_count()), c), out(dm)}, T,
      c.K / 4);
  // db[k] = Σ_t dM[5][t][k]: position ξ = 5 holds each window's gradient (the shader says why).
  if (!db.empty()) strided_sum(s, db, dm.sub(5ull * T * c.K, uint64_t(T) * c.K), c.K, T, 1, c.K);
  const DeviceSpan du = ws.partials.sub(0, z.du);
  batched_gemm(s, c.C, c.K, T, true, false, ws.v, dm, du);  // dU_ξ (C, K) = V_ξᵀ · dM_ξ
  s.dispatch(transform_kernel(ctx, "winograd_filter_backward", c, {BindingKind::Texel, BindingKind::Storage}),
             {texel(du), out(dw.sub(0, uint64_t(c.K) * c.CRS()))}, WinogradPush{c.N},
             groups_1d(c.C * (c.K / 4), c.width_or(64)));
}

void winograd_backward_data(Stream& s, DeviceSpan dx, const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  require_workspace(c, ws);
  require_span("conv2d winograd", "dx", dx, uint64_t(c.N) * c.C * c.H * c.W);
  const WinogradSizes z = winograd_sizes(c);
  const uint32_t T = static_cast<uint32_t>(z.tiles);
  const DeviceSpan dv = ws.col.sub(0, z.dv), dd = ws.v.sub(0, z.v);  // V is done with
  // dV_ξ (T, C) = dM_ξ (T, K) · U_ξᵀ, channels innermost, so that the transform reads 4
  // channels per fetch. (The transposed product dV_ξᵀ = U_ξ dM_ξᵀ was faster with the first
  // texel GEMM, whose lanes each fetched all of A; with A shared by shuffle and 4-wide blocks
  // for N = 32, bench conv2d_backward_data cnn.conv2+pool b64, one thread, alternating:
  // 10.3-12.1 -> 9.9-10.1 ms, cifar 16.5-16.8 -> 13.8-15.1.)
  batched_gemm(s, T, c.C, c.K, false, true, ws.t.sub(0, z.m), ws.w_gemm.sub(0, z.u), dv);
  dispatch_tile_transform(s, "winograd_input_backward", c, {BindingKind::Texel, BindingKind::Storage},
                          {texel(dv), out(dd)}, T, c.C / 4);
  // dd's rows are the tiles and its columns the 4x4 patch: col2im of a 4x4, stride-2 "convolution"
  // with the same padding, whose output grid is the tile grid.
  Conv2dPlan patches = c;
  patches.R = patches.S = 4;
  patches.sh = patches.sw = 2;
  patches.pool = 0;
  patches.route = Conv2dRoute::Im2col;
  col2im_channels_last(s, dx, dd, patches);
}

}  // namespace vkt::nn
