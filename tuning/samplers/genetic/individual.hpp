#pragma once
// A finished trial as the genetic operators see it.
#include <cstdint>

#include "tuning/value.hpp"

namespace vkt::tune::genetic {

struct Individual {
  int64_t trial_id = -1;
  Params params;         // searched parameters only
  double fitness = 0;    // the trial's value turned so that larger is better
};

}  // namespace vkt::tune::genetic
