#pragma once
// --patience, shared by `train` and each tune trial: stop after `epochs` epochs in a row
// without a better validation value (0: never). Fed every epoch's value in order; a resumed
// tune trial feeds the journal's values first, so it stops where the uninterrupted one would.
#include <cmath>
#include <cstdint>

namespace vkt::app {

class Patience {
 public:
  Patience(uint32_t epochs, bool minimize) : epochs_(epochs), minimize_(minimize) {}
  // True when `value` makes the run stale: stop after this epoch.
  bool stale_after(double value) {
    if (std::isnan(best_) || (minimize_ ? value < best_ : value > best_)) {
      best_ = value;
      since_best_ = 0;
      return false;
    }
    return epochs_ && ++since_best_ >= epochs_;
  }

 private:
  uint32_t epochs_;
  bool minimize_;
  double best_ = std::nan("");
  uint32_t since_best_ = 0;
};

}  // namespace vkt::app
