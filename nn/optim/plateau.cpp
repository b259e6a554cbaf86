#include "nn/optim/plateau.hpp"

#include <algorithm>

namespace vkt::nn {

bool PlateauState::end_epoch(const PlateauRule& rule, double val_loss) {
  if (val_loss < best - rule.min_delta) {
    best = val_loss;
    stale_epochs = 0;
    return false;
  }
  if (++stale_epochs < rule.patience) return false;
  stale_epochs = 0;
  // Keras reduces only while above the floor; a rate already at min_lr stays put.
  if (!(lr > rule.min_lr)) return false;
  lr = std::max(lr * rule.factor, rule.min_lr);
  return true;
}

}  // namespace vkt::nn
