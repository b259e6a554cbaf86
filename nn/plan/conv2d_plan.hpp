#pragma once
// Which route a convolution layer takes on this device (nn/ops/conv2d_routes.hpp has the
// routes). The candidates: every route that applies, and on a GPU also the routes with kernels
// of their own (direct, Winograd) in wider workgroups (Conv2dPlan::local_x; their widths of 64
// and 8 were fitted to lavapipe). With one candidate, or --autotune off, the table's default;
// otherwise the winner the kernel cache remembers for this shape, or (--autotune full) the one
// measured now: every candidate runs forward and backward on random data, is checked against
// the im2col route's result, and is timed with device timestamps; the fastest wins.
#include <string>
#include <vector>

#include "nn/ops/conv2d.hpp"
#include "nn/plan/measure.hpp"
#include "runtime/kernel_policy.hpp"

namespace vkt::nn {

// One candidate: a route, and the width of its own kernels' workgroups (0: the route's rule).
struct Conv2dChoice {
  Conv2dRoute route = Conv2dRoute::Im2col;
  uint32_t local_x = 0;
  Conv2dChoice(Conv2dRoute r = Conv2dRoute::Im2col, uint32_t width = 0) : route(r), local_x(width) {}
  std::string name() const;  // "winograd", "direct wg256"
  bool operator==(const Conv2dChoice&) const = default;
};

// The candidates for `c` on a device with policy `p`: conv2d_candidates' routes in table order,
// then (GPUs only) the wider workgroups of the routes that have kernels of their own.
std::vector<Conv2dChoice> conv2d_choices(const Conv2dShape& c, const KernelPolicy& p);

struct Conv2dMeasurement {
  Conv2dChoice choice;
  double ms = 0;            // median device time of forward + backward (or forward only)
  double error = 0;         // largest over y, dw, db, dx of |got - im2col's| / |im2col's| (L2 norms)
  bool correct = false;     // error within kRouteTolerance
};

// How far a route's results may be from im2col's, in relative L2 norm. Winograd's transforms
// round differently (errors of 1e-6), and where two values of a pool window are that close, the
// routes may pick different winners and route that window's gradient to another pixel: both
// right, and about once in 10^5 windows of random data. On the seed CNN's conv2 that is
// 1.2e-3 - 1.7e-3 in L2 at batch 256 and 500 (5 % of dx's largest value: a max-norm check
// rejects it); nearly constant in the batch, as the count of such windows grows with it and so
// does the norm's square. A wrong kernel is off by order 1.
inline constexpr double kRouteTolerance = 1e-2;

// The plan for `c` (NCHW; the graph sets the layouts afterwards). `dx_needed`: false for a
// model's first layer, whose backward computes no dx (some routes are faster then).
// `backward`: false for an evaluation graph, where only the forward pass is measured.
Conv2dPlan plan_conv2d(Context& ctx, const Conv2dShape& c, bool dx_needed, bool backward = true);

// Times every candidate in `choices` (im2col is added if missing: the reference) on this device.
std::vector<Conv2dMeasurement> measure_conv2d(Context& ctx, const Conv2dShape& c, bool dx_needed,
                                              const std::vector<Conv2dChoice>& choices, int reps = 5,
                                              bool backward = true);
// The fastest correct candidate, the default unless another beats it by kWinMargin.
Conv2dChoice pick_conv2d_route(const std::vector<Conv2dMeasurement>& m, Conv2dChoice fallback);

// The kernel-cache key under which `vktrain tune-kernels --conv --remember` keeps the best
// workgroup width it found for route `r` on shape `c` ("wg128"); plan_conv2d adds that width to
// the candidates it measures, on any device.
std::string tuned_width_key(const Conv2dShape& c, Conv2dRoute r);
// Whether route `r` has kernels of its own whose width Conv2dPlan::local_x sets.
bool conv2d_route_has_width(Conv2dRoute r);

// The kernel-cache key of a plan choice: op, shape, whether dx is computed (or, forward only,
// no backward at all), the candidates.
std::string conv2d_cache_key(const Conv2dShape& c, bool dx_needed, const std::vector<Conv2dChoice>& candidates,
                             bool backward = true);

}  // namespace vkt::nn
