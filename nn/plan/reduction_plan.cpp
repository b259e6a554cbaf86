#include "nn/plan/reduction_plan.hpp"

#include <algorithm>

#include "nn/plan/choose.hpp"
#include "nn/plan/measure.hpp"
#include "runtime/context.hpp"

namespace vkt::nn {

std::string strided_sum_cache_key(const StridedSum& q, const std::vector<StridedSumRoute>& routes) {
  std::vector<std::string> names;
  for (StridedSumRoute r : routes) names.push_back(strided_sum_route_name(r));
  return candidates_key("strided_sum " + q.str(), names);
}

StridedSumRoute plan_strided_sum(Context& ctx, const StridedSum& q, DeviceSpan out, DeviceSpan x) {
  const std::vector<StridedSumRoute> routes = strided_sum_routes(ctx, q, out, x);
  if (routes.size() < 2 || q.J == 0 || ctx.policy().autotune == AutotuneMode::Off) return routes.front();
  const Buffer xs = random_buffer(ctx, q.x_floats(), 11, "autotune strided-sum x");
  const Buffer ys = scratch_buffer(ctx, q.I, "autotune strided-sum out");
  VariantTrial t;
  for (StridedSumRoute r : routes) t.names.push_back(strided_sum_route_name(r));
  t.reference = size_t(std::find(routes.begin(), routes.end(), StridedSumRoute::Rows) - routes.begin());
  t.record = [&](size_t i, Stream& s) { strided_sum_by(s, routes[i], ys, xs, q); };
  t.output = [&](size_t) { return ys.download_as<float>(q.I); };
  return routes[choose_variant(ctx, strided_sum_cache_key(q, routes), t)];
}

std::string reduce_cache_key(uint64_t n, const std::vector<ReducePath>& paths) {
  std::vector<std::string> names;
  for (ReducePath r : paths) names.push_back(reduce_path_name(r));
  return candidates_key("reduce " + std::to_string(n), names);
}

ReducePath plan_reduce(Context& ctx, uint64_t n, bool texel_possible) {
  const std::vector<ReducePath> paths = reduce_paths(ctx.policy(), texel_possible);
  if (paths.size() < 2 || n == 0 || ctx.policy().autotune == AutotuneMode::Off) return paths.front();
  // The gradient-norm mode: what clipping runs every step (the penalty mode reads the same).
  const Buffer g = random_buffer(ctx, n, 31, "autotune reduce g");
  const Buffer partials = scratch_buffer(ctx, reduce_partials(n), "autotune reduce partials"),
               result = scratch_buffer(ctx, 2, "autotune reduce result");
  VariantTrial t;
  for (ReducePath r : paths) t.names.push_back(reduce_path_name(r));
  t.reference = paths.size() - 1;  // shared: any device
  t.record = [&](size_t i, Stream& s) {
    grad_global_norm(s, DeviceSpan(g, 0, n), DeviceSpan(g, 0, n), 0, 0, 0, 1.0, {result, partials, paths[i]});
  };
  t.output = [&](size_t) { return result.download_as<float>(2); };
  return paths[choose_variant(ctx, reduce_cache_key(n, paths), t)];
}

}  // namespace vkt::nn
