#include "tuning/pruners/asha_pruner.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "util/error.hpp"

namespace vkt::tune {

AshaPruner::AshaPruner(AshaOptions options) : options_(options) {
  if (options_.min_epochs < 1) throw InputError("asha pruner: min_epochs must be at least 1");
  if (options_.eta < 2) throw InputError("asha pruner: eta must be at least 2");
}

nlohmann::json AshaPruner::config() const {
  return {{"name", "asha"}, {"min_epochs", options_.min_epochs}, {"eta", options_.eta}};
}

bool AshaPruner::is_rung(int epoch) const {
  for (int64_t r = options_.min_epochs; r <= epoch; r *= options_.eta)
    if (r == epoch) return true;
  return false;
}

bool AshaPruner::should_prune(int64_t trial_id, int epoch, double value, const History& history) {
  if (std::isnan(value)) return true;
  if (!is_rung(epoch)) return false;
  std::vector<double> rung;  // values at this rung, oriented so larger is better
  bool own_recorded = false;
  for (const Trial& t : history.trials) {
    const auto it = t.epochs.find(epoch);
    if (it == t.epochs.end() || !std::isfinite(it->second.value)) continue;
    if (t.id == trial_id) {
      own_recorded = true;
      rung.push_back(oriented(value, history.direction));  // the value being judged
    } else {
      rung.push_back(oriented(it->second.value, history.direction));
    }
  }
  if (!own_recorded) rung.push_back(oriented(value, history.direction));
  std::sort(rung.begin(), rung.end(), std::greater<>());
  const size_t keep = std::max<size_t>(1, rung.size() / size_t(options_.eta));
  return oriented(value, history.direction) < rung[keep - 1];
}

}  // namespace vkt::tune
