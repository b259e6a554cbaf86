#pragma once
// Asynchronous successive halving (ASHA). Rungs sit at epochs min_epochs * eta^k. When a trial
// reaches a rung it competes with every value recorded at that rung so far (its own
// included): it goes on only if it is among the top 1/eta of them (at least the single best).
// Deciding from whatever has been recorded, rather than waiting for full brackets, is what
// keeps parallel workers busy.
#include "tuning/pruners/pruner.hpp"

namespace vkt::tune {

struct AshaOptions {
  int min_epochs = 1;
  int eta = 3;
};

class AshaPruner : public Pruner {
 public:
  // InputError for min_epochs < 1 or eta < 2.
  explicit AshaPruner(AshaOptions options = {});
  std::string name() const override { return "asha"; }
  nlohmann::json config() const override;
  bool should_prune(int64_t trial_id, int epoch, double value, const History& history) override;

  // Is `epoch` a rung epoch (min_epochs * eta^k)?
  bool is_rung(int epoch) const;

 private:
  AshaOptions options_;
};

}  // namespace vkt::tune
