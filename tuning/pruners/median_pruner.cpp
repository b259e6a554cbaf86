#include "tuning/pruners/median_pruner.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vkt::tune {

nlohmann::json MedianPruner::config() const {
  return {{"name", "median"}, {"n_startup_trials", options_.n_startup_trials}, {"n_warmup_epochs", options_.n_warmup_epochs}};
}

bool MedianPruner::should_prune(int64_t trial_id, int epoch, double value, const History& history) {
  if (std::isnan(value)) return true;
  if (epoch <= options_.n_warmup_epochs) return false;
  const auto completed = std::count_if(history.trials.begin(), history.trials.end(),
                                       [](const Trial& t) { return t.state == TrialState::Complete; });
  if (completed < options_.n_startup_trials) return false;

  std::vector<double> others;
  for (const Trial& t : history.trials) {
    if (t.id == trial_id) continue;
    if (t.state != TrialState::Complete && t.state != TrialState::Running) continue;
    const auto it = t.epochs.find(epoch);
    if (it != t.epochs.end() && std::isfinite(it->second.value)) others.push_back(it->second.value);
  }
  if (others.empty()) return false;
  std::sort(others.begin(), others.end());
  const size_t n = others.size();
  const double median = n % 2 ? others[n / 2] : 0.5 * (others[n / 2 - 1] + others[n / 2]);
  return is_better(median, value, history.direction);
}

}  // namespace vkt::tune
