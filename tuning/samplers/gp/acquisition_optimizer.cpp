#include "tuning/samplers/gp/acquisition_optimizer.hpp"

#include <algorithm>
#include <numeric>

#include "tuning/samplers/gp/lbfgs.hpp"

namespace vkt::tune::gp {
namespace {

// L-BFGS over the movable coordinates of `start`, the others held fixed.
Maximum refine(const GaussianProcess& gp, const Acquisition& acquisition, const std::vector<bool>& movable,
               std::span<const double> start) {
  std::vector<size_t> free;
  for (size_t d = 0; d < movable.size(); ++d)
    if (movable[d]) free.push_back(d);
  std::vector<double> full(start.begin(), start.end()), full_gradient(start.size());
  const Objective objective = [&](std::span<const double> sub, std::span<double> gradient) {
    for (size_t i = 0; i < free.size(); ++i) full[free[i]] = sub[i];
    const double value = acquisition.at(gp, full, full_gradient);
    for (size_t i = 0; i < free.size(); ++i) gradient[i] = full_gradient[free[i]];
    return value;
  };
  std::vector<double> sub(free.size());
  for (size_t i = 0; i < free.size(); ++i) sub[i] = start[free[i]];
  const std::vector<double> lower(free.size(), 0.0), upper(free.size(), 1.0);
  const LbfgsResult result = maximize_lbfgs(objective, std::move(sub), lower, upper, {100, 1e-9});
  std::vector<double> x(start.begin(), start.end());
  for (size_t i = 0; i < free.size(); ++i) x[free[i]] = result.x[i];
  return {std::move(x), result.value};
}

}  // namespace

Maximum maximize_acquisition(const GaussianProcess& gp, const Acquisition& acquisition, const Encoding& encoding,
                             const Points& candidates) {
  const std::vector<Posterior> posteriors = gp.posterior_batch(candidates);
  std::vector<double> scores(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) scores[i] = acquisition(posteriors[i]);
  std::vector<size_t> order(candidates.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });

  const auto point = [&](size_t i) { return candidates[i]; };
  Maximum best{std::vector<double>(point(order[0]).begin(), point(order[0]).end()), scores[order[0]]};
  std::vector<size_t> started;
  for (size_t i : order) {
    if (started.size() == kRefineStarts) break;
    const auto x = point(i);
    const bool repeat = std::any_of(started.begin(), started.end(),
                                    [&](size_t j) { return std::ranges::equal(point(j), x); });
    if (repeat) continue;
    started.push_back(i);
    const std::vector<bool> movable = encoding.movable(x);
    if (std::none_of(movable.begin(), movable.end(), [](bool m) { return m; })) continue;
    Maximum refined = refine(gp, acquisition, movable, x);
    if (refined.value > best.value) best = std::move(refined);
  }
  return best;
}

}  // namespace vkt::tune::gp
