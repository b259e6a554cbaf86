#include "tuning/samplers/random_sampler.hpp"

#include "tuning/normalize.hpp"

namespace vkt::tune {

std::optional<Params> RandomSampler::sample(const Space& space, const History&) {
  return resolve_conditions(space, {}, rng_);
}

}  // namespace vkt::tune
