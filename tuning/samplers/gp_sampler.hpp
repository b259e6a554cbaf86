#pragma once
// Gaussian-process Bayesian optimization. The first n_startup trials (counted as Complete
// ones) are random; after that each proposal
//  1. encodes every trial into [0,1]^d (gp/encoding.hpp) and standardizes the oriented values
//     (direction.hpp: larger is better) of the Complete trials, the only observations;
//  2. fits the kernel's hyperparameters to them (MAP, multi-start L-BFGS: gp/hyperparameter_fit);
//  3. adds every other unfinished or unsuccessful trial by the kriging believer: an
//     observation at the posterior mean. Running trials (other workers) so no longer look
//     unexplored and are not proposed again; Pruned, Failed and Diverged trials have no
//     usable final value (a pruned value is an early epoch's, a failed or diverged one none),
//     so they are not evidence about the objective either, but their points have been spent
//     and believing the model there keeps the sampler from proposing them again;
//  4. maximizes the acquisition (log EI or UCB: gp/acquisition_optimizer), with the incumbent
//     the largest y, believed ones included (the believer treats them as observed), and
//     decodes the winner: ints rounded onto their grid, conditionals as the point has them.
// The state is the random generator alone: everything else is recomputed from the history,
// and L-BFGS is deterministic, so a resumed study proposes what an uninterrupted one would.
#include <nlohmann/json.hpp>

#include "tuning/rng.hpp"
#include "tuning/samplers/gp/acquisition.hpp"
#include "tuning/samplers/gp/kernel.hpp"
#include "tuning/samplers/sampler.hpp"

namespace vkt::tune {

struct GpOptions {
  size_t n_startup = 10;
  gp::KernelKind kernel = gp::KernelKind::Matern52;
  gp::AcquisitionKind acquisition = gp::AcquisitionKind::LogEi;
  double beta = 2;  // ucb only
  size_t n_candidates = 2048;
  size_t n_restarts = 5;
};

// The options of {"name": "gp", ...}; InputError naming the key for an unknown or bad one.
GpOptions gp_options_from_json(const nlohmann::json& config);

class GpSampler : public Sampler {
 public:
  // InputError for n_candidates or n_restarts below 1, or beta negative or not finite.
  GpSampler(GpOptions options, uint64_t seed);

  std::string name() const override { return "gp"; }
  nlohmann::json config() const override;
  std::optional<Params> sample(const Space& space, const History& history) override;
  std::vector<uint8_t> save_state() const override { return rng_.save(); }
  void restore_state(std::span<const uint8_t> state) override { rng_.restore(state); }

 private:
  GpOptions options_;
  uint64_t seed_;
  Rng rng_;
};

}  // namespace vkt::tune
