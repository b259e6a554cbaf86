#include "tuning/samplers/tpe/observations.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace vkt::tune::tpe {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Sort keys, smaller is better: (tier, -epochs reached, -oriented value).
struct Rank {
  int tier = 0;  // 0 complete, 1 pruned, 2 diverged, 3 running
  double step = 0;
  double loss = 0;
  auto key() const { return std::tie(tier, step, loss); }
};

// NaN never ranks before anything.
double loss_of(double value, Direction d) {
  const double loss = -oriented(value, d);
  return std::isnan(loss) ? kInf : loss;
}

}  // namespace

size_t good_count(size_t n) { return std::min<size_t>((n + 9) / 10, 25); }

std::vector<double> default_weights(size_t n) {
  std::vector<double> w(n, 1.0);
  if (n < 25) return w;
  const size_t ramp = n - 25;  // linspace(1/n, 1, ramp), as numpy spaces it
  for (size_t i = 0; i < ramp; ++i)
    w[i] = ramp == 1 ? 1.0 / double(n)  // numpy: a one-point linspace is its start
                     : 1.0 / double(n) + (1.0 - 1.0 / double(n)) * double(i) / double(ramp - 1);
  return w;
}

Ranking rank_trials(const History& history, bool constant_liar) {
  std::vector<std::pair<Rank, size_t>> ranked;
  size_t observations = 0;
  for (size_t i = 0; i < history.trials.size(); ++i) {
    const Trial& t = history.trials[i];
    Rank r;
    switch (t.state) {
      case TrialState::Complete:
        if (std::isfinite(t.value)) {
          r = {0, 0, loss_of(t.value, history.direction)};
          ++observations;
        } else {
          r = {2, 0, 0};  // a non-finite final value is a divergence, whatever the state says
        }
        break;
      case TrialState::Pruned:
        r = t.epochs.empty() ? Rank{1, 0, kInf}
                             : Rank{1, -double(t.epochs.rbegin()->first),
                                    loss_of(t.epochs.rbegin()->second.value, history.direction)};
        ++observations;
        break;
      case TrialState::Diverged:
        r = {2, 0, 0};
        break;
      case TrialState::Running:
        if (!constant_liar) continue;
        r = {3, 0, 0};
        break;
      case TrialState::Failed:
        continue;
    }
    ranked.emplace_back(r, i);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first.key() < b.first.key(); });
  Ranking out;
  out.observations = observations;
  for (const auto& [_, i] : ranked) out.order.push_back(i);
  return out;
}

Split split_trials(const History& history, bool constant_liar) {
  const Ranking ranking = rank_trials(history, constant_liar);
  const size_t n_below = good_count(ranking.observations);
  std::vector<size_t> below(ranking.order.begin(), ranking.order.begin() + std::ptrdiff_t(n_below));
  std::vector<size_t> above(ranking.order.begin() + std::ptrdiff_t(n_below), ranking.order.end());
  std::sort(below.begin(), below.end());
  std::sort(above.begin(), above.end());
  Split split;
  split.observations = ranking.observations;
  for (size_t i : below) split.below.push_back(&history.trials[i]);
  for (size_t i : above) split.above.push_back(&history.trials[i]);
  return split;
}

}  // namespace vkt::tune::tpe
