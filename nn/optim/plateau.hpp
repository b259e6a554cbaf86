#pragma once
// The state of the reduction on a plateau (ScheduleKind::Plateau, rule in PlateauRule): what
// the trainer keeps between epochs and the training state saves, so that a resumed run makes
// the same decisions as one never stopped.
#include <cstdint>
#include <limits>

#include "nn/optim/schedule.hpp"

namespace vkt::nn {

struct PlateauState {
  double lr = 0;                                         // the base rate now
  double best = std::numeric_limits<double>::infinity();  // the lowest validation loss so far
  uint32_t stale_epochs = 0;                             // epochs since it last improved

  static PlateauState start(double base_lr) { return {base_lr}; }
  // After an epoch whose validation loss was `val_loss`: counts, and reduces `lr` when the
  // rule says so (a NaN loss never improves). Returns whether it reduced.
  bool end_epoch(const PlateauRule& rule, double val_loss);
  bool operator==(const PlateauState&) const = default;
};

}  // namespace vkt::nn
