#include "nn/plan/reduction_plan.hpp"

#include <algorithm>

#include "nn/plan/choose.hpp"
#include "nn/plan/measure.hpp"
#include "runtime/context.hpp"

namespace vkt::nn {

std::string strided_sum_cache_key(const StridedSum& q, const std::vector<StridedSumRoute>& routes) {
  std::string key = "strided_sum " + q.str() + " [";
  for (size_t i = 0; i < routes.size(); ++i) {
    if (i) key += ',';
    key += strided_sum_route_name(routes[i]);
  }
  return key + "]";
}

StridedSumRoute plan_strided_sum(Context& ctx, const StridedSum& q, DeviceSpan out, DeviceSpan x) {
  const std::vector<StridedSumRoute> routes = strided_sum_routes(ctx, q, out, x);
  if (routes.size() < 2 || q.J == 0 || ctx.policy().autotune == AutotuneMode::Off) return routes.front();
  const Buffer xs = random_buffer(ctx, q.x_floats(), 11, "autotune strided-sum x");
  const Buffer ys(ctx, std::max<uint64_t>(q.I, 4) * 4, "autotune strided-sum out");
  VariantTrial t;
  for (StridedSumRoute r : routes) t.names.push_back(strided_sum_route_name(r));
  t.reference = size_t(std::find(routes.begin(), routes.end(), StridedSumRoute::Rows) - routes.begin());
  t.record = [&](size_t i, Stream& s) { strided_sum_by(s, routes[i], ys, xs, q); };
  t.output = [&](size_t) { return ys.download_as<float>(q.I); };
  return routes[choose_variant(ctx, strided_sum_cache_key(q, routes), t)];
}

}  // namespace vkt::nn
