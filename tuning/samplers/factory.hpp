#pragma once
// Samplers by name, for the command line and settings files:
//   {"name": "random"} | {"name": "grid"} |
//   {"name": "genetic", "population": 20, "elite": 2, "tournament": 3, "sigma": 0.1,
//    "alpha": 0.5, "swap_probability": 0.5} |
//   {"name": "tpe", "n_startup": 10, "n_candidates": 24, "multivariate": false, "prior_weight": 1.0,
//    "constant_liar": true, "consider_endpoints": false} |
//   {"name": "gp", "n_startup": 10, "kernel": "matern52" (or "rbf"), "acquisition": "log_ei" (or "ucb"),
//    "beta": 2, "n_candidates": 2048, "n_restarts": 5}
// A plain string ("genetic") means the defaults.
#include <memory>

#include "tuning/samplers/sampler.hpp"

namespace vkt::tune {

// InputError for an unknown name or option. The grid sampler is checked against `space` now,
// so a float without a grid is reported before any trial runs.
std::unique_ptr<Sampler> make_sampler(const nlohmann::json& config, const Space& space, uint64_t seed);

}  // namespace vkt::tune
