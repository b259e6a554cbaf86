#pragma once
// Asynchronous successive halving (ASHA): rungs at epochs min_epochs * eta^k, where every
// trial competes with all others by successive_halving.hpp's rule. Hyperband
// (hyperband_pruner.hpp) runs several such ladders side by side.
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
