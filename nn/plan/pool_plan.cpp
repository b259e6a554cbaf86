#include "nn/plan/pool_plan.hpp"

#include <algorithm>

#include "nn/plan/choose.hpp"
#include "nn/plan/measure.hpp"
#include "runtime/context.hpp"

namespace vkt::nn {

std::string maxpool_backward_cache_key(const Pool2dShape& p) { return "maxpool2d_backward " + p.str(); }

MaxPoolBackward plan_maxpool2d_backward(Context& ctx, const Pool2dShape& p) {
  p.validate();
  const std::vector<MaxPoolBackward> routes = maxpool_backward_routes(p);
  if (routes.size() < 2 || ctx.policy().autotune == AutotuneMode::Off) return routes.front();
  // The winners come from a real forward pass over random data, as in training.
  const Buffer x = random_buffer(ctx, p.in_count(), 21, "autotune pool x"),
               dy = random_buffer(ctx, p.out_count(), 22, "autotune pool dy");
  const Buffer y = scratch_buffer(ctx, p.out_count(), "autotune pool y"),
               argmax = scratch_buffer(ctx, p.out_count(), "autotune pool argmax"),
               dx = scratch_buffer(ctx, p.in_count(), "autotune pool dx");
  {
    Stream s(ctx);
    maxpool2d_forward(s, y, argmax, x, p);
    s.run();
  }
  VariantTrial t;
  for (MaxPoolBackward r : routes) t.names.push_back(maxpool_backward_name(r));
  t.reference = size_t(std::find(routes.begin(), routes.end(), MaxPoolBackward::Gather) - routes.begin());
  t.tolerance = 0;  // both write dy itself (or 0) to each cell: no sum whose order could differ
  t.record = [&](size_t i, Stream& s) { maxpool2d_backward(s, routes[i], dx, dy, argmax, p); };
  t.output = [&](size_t) { return dx.download_as<float>(p.in_count()); };
  return routes[choose_variant(ctx, maxpool_backward_cache_key(p), t)];
}

}  // namespace vkt::nn
