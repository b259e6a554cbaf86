#pragma once
// Crossover of two parents into one child.
//  - categoricals: uniform crossover, the child takes b's choice with `swap_probability`;
//  - numbers: BLX-alpha in the normalized [0,1] coordinate: uniform in the parents' interval
//    widened by alpha times its length on each side, clamped to the bounds, ints put back on
//    their step grid. Blending in normalized space makes log parameters blend in log space.
// A parameter only one parent has (conditional) is inherited from it; the child's
// conditions are then resolved so it is always a consistent point of the space.
#include "tuning/rng.hpp"
#include "tuning/space.hpp"

namespace vkt::tune::genetic {

struct CrossoverOptions {
  double swap_probability = 0.5;
  double alpha = 0.5;
};

Params crossover(const Space& space, const Params& a, const Params& b, Rng& rng, const CrossoverOptions& options = {});

}  // namespace vkt::tune::genetic
