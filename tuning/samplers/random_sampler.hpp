#pragma once
// Independent draws from each parameter's prior; a fixed seed gives a fixed sequence.
#include "tuning/rng.hpp"
#include "tuning/samplers/sampler.hpp"

namespace vkt::tune {

class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(uint64_t seed) : seed_(seed), rng_(seed) {}

  std::string name() const override { return "random"; }
  nlohmann::json config() const override { return {{"name", "random"}, {"seed", seed_}}; }
  std::optional<Params> sample(const Space& space, const History& history) override;
  std::vector<uint8_t> save_state() const override { return rng_.save(); }
  void restore_state(std::span<const uint8_t> state) override { rng_.restore(state); }

 private:
  uint64_t seed_;
  Rng rng_;
};

}  // namespace vkt::tune
