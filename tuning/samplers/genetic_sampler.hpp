#pragma once
// A generational genetic algorithm over the search space. Generation 0 (the first
// `population` trials) is random; each later trial is a child of two tournament-selected
// parents from the previous generation plus the elite (see genetic/population.hpp), made by
// crossover then mutation. The state is the random generator alone: generation membership
// follows from trial ids, so a resumed study continues the same sequence.
#include "tuning/rng.hpp"
#include "tuning/samplers/genetic/crossover.hpp"
#include "tuning/samplers/genetic/mutation.hpp"
#include "tuning/samplers/sampler.hpp"

namespace vkt::tune {

struct GeneticOptions {
  size_t population = 20;
  size_t elite = 2;
  size_t tournament = 3;
  genetic::CrossoverOptions crossover;
  genetic::MutationOptions mutation;
};

class GeneticSampler : public Sampler {
 public:
  // InputError for a population below 2 or an elite larger than the population.
  GeneticSampler(GeneticOptions options, uint64_t seed);

  std::string name() const override { return "genetic"; }
  nlohmann::json config() const override;
  std::optional<Params> sample(const Space& space, const History& history) override;
  std::vector<uint8_t> save_state() const override { return rng_.save(); }
  void restore_state(std::span<const uint8_t> state) override { rng_.restore(state); }

 private:
  GeneticOptions options_;
  uint64_t seed_;
  Rng rng_;
};

}  // namespace vkt::tune
