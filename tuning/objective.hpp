#pragma once
// What a study optimizes: one trial = one call of Objective::run. The CLI's objective trains a
// model; tests use synthetic ones.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>

#include "tuning/value.hpp"

namespace vkt::tune {

struct TrialContext {
  int64_t trial_id = 0;
  Params params;     // searched + fixed values
  uint64_t seed = 0; // derived from the study seed and the trial id: a resumed trial reuses it
  int epochs = 0;
  // Set when this trial is resumed after its previous owner died and it had written one.
  std::string resume_checkpoint;
  int resume_epoch = 0;
  // The values this trial had reported (epoch -> value) when a new owner took it over: a
  // cross-validated trial resumed in fold 2 reads fold 1's result from here.
  std::map<int, double> reported;

  // Call after every epoch. Journals the epoch and asks the pruner; false means stop now
  // (pruned, or the value is NaN/Inf) and return from run().
  std::function<bool(int epoch, double value, double loss)> report;
  // Call after a checkpoint file is completely written, so a resumed trial can start from it.
  std::function<void(int epoch, const std::string& path)> checkpoint_written;
};

struct TrialResult {
  // The objective's final value (val_acc / val_loss). NaN or Inf marks the trial diverged.
  double value = std::numeric_limits<double>::quiet_NaN();
};

class Objective {
 public:
  virtual ~Objective() = default;
  // Throwing marks the trial failed (the message becomes its reason); the study goes on.
  virtual TrialResult run(const TrialContext& context) = 0;
};

}  // namespace vkt::tune
