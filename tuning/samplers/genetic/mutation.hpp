#pragma once
// Mutation: each active parameter changes with probability 1/n (n = active parameters), so a
// child differs from its crossover result in about one place on average.
//  - numbers: a Gaussian step of `sigma` in the normalized [0,1] coordinate, clamped, ints
//    put back on their step grid;
//  - categoricals: a different choice, uniformly.
// A mutated categorical may switch conditional parameters on (drawn fresh) or off (dropped).
#include "tuning/rng.hpp"
#include "tuning/space.hpp"

namespace vkt::tune::genetic {

struct MutationOptions {
  double sigma = 0.1;
};

Params mutate(const Space& space, const Params& params, Rng& rng, const MutationOptions& options = {});

}  // namespace vkt::tune::genetic
