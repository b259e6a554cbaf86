#pragma once
// Pruners by name: "none" | {"name": "median", "n_startup_trials": 5, "n_warmup_epochs": 0}
// | {"name": "asha", "min_epochs": 1, "eta": 3}. A plain string means the defaults.
#include <memory>

#include "tuning/pruners/pruner.hpp"

namespace vkt::tune {

std::unique_ptr<Pruner> make_pruner(const nlohmann::json& config);

}  // namespace vkt::tune
