#include "nn/ops/conv2d.hpp"

#include <cstdio>

#include "nn/ops/conv2d_routes.hpp"
#include "nn/ops/gemm.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "util/error.hpp"

namespace vkt::nn {

void Conv2dShape::validate() const {
  if (!N || !C || !H || !W || !K || !R || !S || !sh || !sw)
    throw InputError("conv2d: every size and stride must be positive");
  if (H + 2 * ph < R || W + 2 * pw < S)
    throw InputError("conv2d: a " + std::to_string(R) + "x" + std::to_string(S) + " kernel does not fit a " +
                     std::to_string(H) + "x" + std::to_string(W) + " input with padding " + std::to_string(ph) + "," +
                     std::to_string(pw));
  if (pool != 0 && pool != 2) throw InputError("conv2d: a fused max pool must be 2x2 with stride 2");
  if (pool && (OH() < 2 || OW() < 2))
    throw InputError("conv2d: a " + std::to_string(OH()) + "x" + std::to_string(OW()) + " output is too small for a 2x2 pool");
}

Conv2dShape Conv2dShape::parse(const std::string& text) {
  Conv2dShape c;
  unsigned v[9] = {};
  int used = 0;
  const bool ok = std::sscanf(text.c_str(), "%ux%ux%ux%u k%u %ux%u s%u p%u%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                              &v[6], &v[7], &v[8], &used) == 9;
  std::string rest = ok ? text.substr(size_t(used)) : "";
  unsigned pool = 0;
  int tail = 0;
  if (!ok || !(rest.empty() || (std::sscanf(rest.c_str(), " pool%u%n", &pool, &tail) == 1 && size_t(tail) == rest.size())))
    throw InputError("conv2d shape '" + text + "': takes NxCxHxW kK RxS sSTRIDE pPAD [pool2] (e.g. 64x32x13x13 k64 3x3 s1 p0 pool2)");
  for (unsigned x : v)
    if (x > 65536) throw InputError("conv2d shape '" + text + "': sizes above 65536");
  c.N = v[0], c.C = v[1], c.H = v[2], c.W = v[3], c.K = v[4], c.R = v[5], c.S = v[6];
  c.sh = c.sw = v[7], c.ph = c.pw = v[8], c.pool = pool;
  c.validate();
  return c;
}

std::string Conv2dShape::str() const {
  const auto s = [](uint32_t v) { return std::to_string(v); };
  // Appended piece by piece: GCC 12 warns (-Wrestrict, falsely) on `"," + std::string`.
  std::string out = s(N) + "x" + s(C) + "x" + s(H) + "x" + s(W) + " k" + s(K) + " " + s(R) + "x" + s(S) + " s" + s(sh);
  if (sh != sw) out.append(",").append(s(sw));
  out.append(" p").append(s(ph));
  if (ph != pw) out.append(",").append(s(pw));
  if (pool) out.append(" pool").append(s(pool));
  return out;
}

void Conv2dPlan::validate() const {
  Conv2dShape::validate();
  if (!conv2d_route_info(route).shape_ok(*this))
    throw InputError("conv2d: the " + std::string(conv2d_route_info(route).name) + " route does not take " + str());
  if (y_channels_last && (!pool || K % 4)) throw Error("conv2d: a channels-last output needs a fused pool and K % 4 == 0");
}

Conv2dWorkspaceSize conv2d_workspace_size(const Conv2dPlan& c) { return conv2d_route_info(c.route).workspace(c); }

Conv2dWorkspaceRegions::Conv2dWorkspaceRegions(WorkspaceArena& arena, const Conv2dPlan& c) : arena_(&arena) {
  const Conv2dWorkspaceSize ws = conv2d_workspace_size(c);
  col_ = arena.reserve(ws.col, "conv2d im2col");
  t_ = arena.reserve(ws.t, "conv2d transposed output");
  w_gemm_ = arena.reserve(ws.w_gemm, "conv2d weights arranged for a GEMM");
  partials_ = arena.reserve(ws.partials, "conv2d weight-gradient partial sums");
  argmax_ = arena.reserve(ws.argmax, "conv2d fused max-pool argmax");
  v_ = arena.reserve(ws.v, "conv2d Winograd input tiles");
}

Conv2dWorkspace Conv2dWorkspaceRegions::spans() const {
  WorkspaceArena& a = *arena_;
  return {a.span(col_), a.span(t_), a.span(w_gemm_), a.span(partials_), a.span(argmax_), a.span(v_)};
}

void conv2d_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                    const Conv2dWorkspace& ws, bool relu) {
  c.validate();
  conv2d_route_info(c.route).forward(s, y, x, w, b, c, ws, relu);
}

void conv2d_backward(Stream& s, DeviceSpan dx, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan x, DeviceSpan w,
                     const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  conv2d_backward_weight(s, dw, db, dy, x, c, ws, !dx.empty());
  if (!dx.empty()) conv2d_backward_data(s, dx, w, c, ws);
}

void conv2d_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan x, const Conv2dPlan& c,
                            const Conv2dWorkspace& ws, bool dx_needed) {
  c.validate();
  conv2d_route_info(c.route).backward_weight(s, dw, db, dy, x, c, ws, dx_needed);
}

void conv2d_backward_data(Stream& s, DeviceSpan dx, DeviceSpan w, const Conv2dPlan& c, const Conv2dWorkspace& ws) {
  c.validate();
  conv2d_route_info(c.route).backward_data(s, dx, w, c, ws);
}

bool conv2d_channels_last_output_ok(const Context& ctx, const Conv2dPlan& c, bool dx_needed) {
  const KernelPolicy& p = ctx.policy();
  if (!p.channels_last || !c.pool || c.K % 4) return false;
  if (c.route == Conv2dRoute::Winograd) return true;
  // The route the im2col route's first-layer weight gradient and the texel maxpool GEMM take:
  // the GEMM reads whole buffers (offset 0), so only the device and the shape decide.
  return (c.route == Conv2dRoute::Im2col || c.route == Conv2dRoute::Direct) && !dx_needed && c.CRS() != c.CRSp() &&
         texel_gemm_by_default(p);
}

}  // namespace vkt::nn
