#pragma once
// Samplers by name, for the command line and settings files:
//   {"name": "random"} | {"name": "grid"} |
//   {"name": "genetic", "population": 20, "elite": 2, "tournament": 3, "sigma": 0.1,
//    "alpha": 0.5, "swap_probability": 0.5}
// A plain string ("genetic") means the defaults.
#include <memory>

#include "tuning/samplers/sampler.hpp"

namespace vkt::tune {

// InputError for an unknown name or option. The grid sampler is checked against `space` now,
// so a float without a grid is reported before any trial runs.
std::unique_ptr<Sampler> make_sampler(const nlohmann::json& config, const Space& space, uint64_t seed);

}  // namespace vkt::tune
