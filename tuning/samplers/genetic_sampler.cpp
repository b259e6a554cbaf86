#include "tuning/samplers/genetic_sampler.hpp"

#include "tuning/normalize.hpp"
#include "tuning/samplers/genetic/population.hpp"
#include "tuning/samplers/genetic/selection.hpp"
#include "util/error.hpp"

namespace vkt::tune {

GeneticSampler::GeneticSampler(GeneticOptions options, uint64_t seed) : options_(options), seed_(seed), rng_(seed) {
  if (options_.population < 2) throw InputError("genetic sampler: population must be at least 2");
  if (options_.elite > options_.population) throw InputError("genetic sampler: elite must not exceed the population");
  if (options_.tournament < 1) throw InputError("genetic sampler: tournament size must be at least 1");
}

nlohmann::json GeneticSampler::config() const {
  return {{"name", "genetic"},
          {"seed", seed_},
          {"population", options_.population},
          {"elite", options_.elite},
          {"tournament", options_.tournament},
          {"swap_probability", options_.crossover.swap_probability},
          {"alpha", options_.crossover.alpha},
          {"sigma", options_.mutation.sigma}};
}

std::optional<Params> GeneticSampler::sample(const Space& space, const History& history) {
  const auto next_id = int64_t(history.trials.size());
  const int64_t generation = next_id / int64_t(options_.population);
  if (generation == 0) return resolve_conditions(space, {}, rng_);

  const auto pool = genetic::parent_pool(space, history, generation, options_.population, options_.elite);
  if (pool.size() < 2) return resolve_conditions(space, {}, rng_);  // nothing to breed from yet

  const auto& a = genetic::tournament_select(pool, rng_, options_.tournament);
  const genetic::Individual* b = &genetic::tournament_select(pool, rng_, options_.tournament);
  // A few redraws make selfing (a child of one parent) rare without looping forever.
  for (int retry = 0; retry < 3 && b->trial_id == a.trial_id; ++retry)
    b = &genetic::tournament_select(pool, rng_, options_.tournament);
  const Params child = genetic::crossover(space, a.params, b->params, rng_, options_.crossover);
  return genetic::mutate(space, child, rng_, options_.mutation);
}

}  // namespace vkt::tune
