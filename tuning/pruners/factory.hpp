#pragma once
// Pruners by name: "none" | {"name": "median", "n_startup_trials": 5, "n_warmup_epochs": 0}
// | {"name": "asha", "min_epochs": 1, "eta": 3}
// | {"name": "hyperband", "min_epochs": 1, "max_epochs": <the study's>, "eta": 3}.
// A plain string means the defaults. `study_epochs` is the most epochs a trial reports.
#include <memory>

#include "tuning/pruners/pruner.hpp"

namespace vkt::tune {

std::unique_ptr<Pruner> make_pruner(const nlohmann::json& config, int study_epochs);

}  // namespace vkt::tune
