#include "nn/ops/conv2d_routes.hpp"

#include "nn/ops/conv2d_direct.hpp"
#include "nn/ops/conv2d_im2col.hpp"
#include "nn/ops/conv2d_winograd.hpp"
#include "nn/ops/conv2d_winograd_f33.hpp"
#include "util/error.hpp"

namespace vkt::nn {

const std::vector<Conv2dRouteInfo>& conv2d_routes() {
  static const std::vector<Conv2dRouteInfo> table{
      Conv2dRouteInfo{Conv2dRoute::Winograd, "winograd", true, winograd_shape_ok, winograd_device_ok,
       [](const Conv2dPlan& c) { return winograd_workspace_size(c); }, winograd_forward,
       [](Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan, const Conv2dPlan& c,
          const Conv2dWorkspace& ws, bool) { winograd_backward_weight(s, dw, db, dy, c, ws); },
       [](Stream& s, DeviceSpan dx, DeviceSpan, const Conv2dPlan& c, const Conv2dWorkspace& ws) {
         winograd_backward_data(s, dx, c, ws);  // reads forward's transformed filters, not w
       }},
      Conv2dRouteInfo{Conv2dRoute::WinogradF33, "winograd_f33", true, winograd_f33_shape_ok, winograd_f33_device_ok,
       [](const Conv2dPlan& c) { return winograd_f33_workspace_size(c); }, winograd_f33_forward,
       [](Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan, const Conv2dPlan& c,
          const Conv2dWorkspace& ws, bool) { winograd_f33_backward_weight(s, dw, db, dy, c, ws); },
       [](Stream& s, DeviceSpan dx, DeviceSpan, const Conv2dPlan& c, const Conv2dWorkspace& ws) {
         winograd_f33_backward_data(s, dx, c, ws);
       }},
      Conv2dRouteInfo{Conv2dRoute::Direct, "direct", true, conv2d_direct_shape_ok, conv2d_direct_device_ok, direct_workspace_size,
       direct_forward, direct_backward_weight, im2col_backward_data},
      Conv2dRouteInfo{Conv2dRoute::Im2col, "im2col", false, [](const Conv2dShape&) { return true; },
       [](const Conv2dShape&, const KernelPolicy&) { return true; }, im2col_workspace_size, im2col_forward,
       im2col_backward_weight, im2col_backward_data},
  };
  return table;
}

const Conv2dRouteInfo& conv2d_route_info(Conv2dRoute r) {
  for (const auto& e : conv2d_routes())
    if (e.route == r) return e;
  throw Error("conv2d: internal: route " + std::to_string(int(r)) + " is not in the table");
}

std::string conv2d_route_name(Conv2dRoute r) { return conv2d_route_info(r).name; }

std::vector<Conv2dRoute> conv2d_candidates(const Conv2dShape& c, const KernelPolicy& p) {
  std::vector<Conv2dRoute> out;
  for (const auto& e : conv2d_routes())
    if (e.shape_ok(c) && e.device_ok(c, p)) out.push_back(e.route);
  return out;
}

Conv2dRoute conv2d_default_route(const Conv2dShape& c, const KernelPolicy& p) {
  for (const auto& e : conv2d_routes())
    if ((p.cpu_driver || !e.cpu_default) && e.shape_ok(c) && e.device_ok(c, p)) return e.route;
  return Conv2dRoute::Im2col;
}

}  // namespace vkt::nn
