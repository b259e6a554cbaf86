#include "tuning/pruners/asha_pruner.hpp"

#include <cmath>

#include "tuning/pruners/successive_halving.hpp"
#include "util/error.hpp"

namespace vkt::tune {

AshaPruner::AshaPruner(AshaOptions options) : options_(options) {
  if (options_.min_epochs < 1) throw InputError("asha pruner: min_epochs must be at least 1");
  if (options_.eta < 2) throw InputError("asha pruner: eta must be at least 2");
}

nlohmann::json AshaPruner::config() const {
  return {{"name", "asha"}, {"min_epochs", options_.min_epochs}, {"eta", options_.eta}};
}

bool AshaPruner::is_rung(int epoch) const { return is_rung_epoch(epoch, options_.min_epochs, options_.eta); }

bool AshaPruner::should_prune(int64_t trial_id, int epoch, double value, const History& history) {
  if (std::isnan(value)) return true;
  if (!is_rung(epoch)) return false;
  return successive_halving_prunes(trial_id, epoch, value, history, options_.eta, [](const Trial&) { return true; });
}

}  // namespace vkt::tune
