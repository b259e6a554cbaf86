#pragma once
// Median stopping: stop a trial whose value at epoch e is worse than the median of the other
// Complete and Running trials' values at epoch e. Nothing is pruned until n_startup_trials
// trials have completed (the median of too few is noise), nor during the first
// n_warmup_epochs epochs (early curves cross a lot).
#include "tuning/pruners/pruner.hpp"

namespace vkt::tune {

struct MedianOptions {
  int n_startup_trials = 5;
  int n_warmup_epochs = 0;
};

class MedianPruner : public Pruner {
 public:
  explicit MedianPruner(MedianOptions options = {}) : options_(options) {}
  std::string name() const override { return "median"; }
  nlohmann::json config() const override;
  bool should_prune(int64_t trial_id, int epoch, double value, const History& history) override;

 private:
  MedianOptions options_;
};

}  // namespace vkt::tune
