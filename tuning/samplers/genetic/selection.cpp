#include "tuning/samplers/genetic/selection.hpp"

#include "util/error.hpp"

namespace vkt::tune::genetic {

const Individual& tournament_select(std::span<const Individual> pool, Rng& rng, size_t size) {
  if (pool.empty()) throw Error("internal: tournament over an empty pool");
  const Individual* best = &pool[rng.below(pool.size())];
  for (size_t i = 1; i < size; ++i) {
    const Individual& contender = pool[rng.below(pool.size())];
    if (contender.fitness > best->fitness) best = &contender;
  }
  return *best;
}

}  // namespace vkt::tune::genetic
