#pragma once
// Every way vktrain computes a convolution, in one table: what each route takes, what it needs
// and its passes. conv2d_forward and the backward passes dispatch through it; plan_conv2d
// (nn/plan/conv2d_plan.hpp) picks a route from it. Adding a route touches its own file and
// this table, nothing else.
#include <string>
#include <vector>

#include "nn/ops/conv2d.hpp"
#include "runtime/kernel_policy.hpp"

namespace vkt::nn {

struct Conv2dRouteInfo {
  Conv2dRoute route;
  const char* name;  // as --print-plan, the kernel cache and `vktrain bench` show it
  // Taken without measuring (--autotune off, or nothing cached) where it applies: on CPU drivers
  // only (cpu_default), or on every device. Routes measured faster only on lavapipe say
  // cpu_default; on a GPU they are candidates that must win a measurement to be taken.
  bool cpu_default;
  bool (*shape_ok)(const Conv2dShape&);                           // the geometry it takes
  bool (*device_ok)(const Conv2dShape&, const KernelPolicy&);     // capabilities, switches, limits
  Conv2dWorkspaceSize (*workspace)(const Conv2dPlan&);
  void (*forward)(Stream&, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan&,
                  const Conv2dWorkspace&, bool relu);
  void (*backward_weight)(Stream&, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan x, const Conv2dPlan&,
                          const Conv2dWorkspace&, bool dx_needed);
  void (*backward_data)(Stream&, DeviceSpan dx, DeviceSpan w, const Conv2dPlan&, const Conv2dWorkspace&);
};

// In order of preference when nothing is measured; im2col, which takes everything, is last.
const std::vector<Conv2dRouteInfo>& conv2d_routes();
const Conv2dRouteInfo& conv2d_route_info(Conv2dRoute r);
std::string conv2d_route_name(Conv2dRoute r);

// The routes that can compute `c` on a device with policy `p`, in table order (im2col last).
std::vector<Conv2dRoute> conv2d_candidates(const Conv2dShape& c, const KernelPolicy& p);
// The first candidate that is a default on this kind of device: what --autotune off takes.
Conv2dRoute conv2d_default_route(const Conv2dShape& c, const KernelPolicy& p);

}  // namespace vkt::nn
