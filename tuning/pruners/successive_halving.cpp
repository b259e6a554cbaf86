#include "tuning/pruners/successive_halving.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vkt::tune {

bool is_rung_epoch(int epoch, int first, int eta) {
  for (int64_t r = first; r <= epoch; r *= eta)
    if (r == epoch) return true;
  return false;
}

bool successive_halving_prunes(int64_t trial_id, int epoch, double value, const History& history, int eta,
                               const std::function<bool(const Trial&)>& competes) {
  if (std::isnan(value)) return true;
  std::vector<double> rung;  // values at this rung, oriented so larger is better
  bool own_recorded = false;
  for (const Trial& t : history.trials) {
    if (t.id != trial_id && !competes(t)) continue;
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
  const size_t keep = std::max<size_t>(1, rung.size() / size_t(eta));
  return oriented(value, history.direction) < rung[keep - 1];
}

}  // namespace vkt::tune
