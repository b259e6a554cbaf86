#pragma once
// Tournament selection: draw `size` individuals (with replacement), keep the fittest. Size 3
// favours good parents while still letting weaker ones breed now and then.
#include <span>

#include "tuning/rng.hpp"
#include "tuning/samplers/genetic/individual.hpp"

namespace vkt::tune::genetic {

// `pool` must not be empty.
const Individual& tournament_select(std::span<const Individual> pool, Rng& rng, size_t size = 3);

}  // namespace vkt::tune::genetic
