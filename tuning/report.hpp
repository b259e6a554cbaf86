#pragma once
// Report data from a study's state: trials ranked best first, the best trial, a JSON document
// with per-epoch curves, and the best params as a ready `vktrain train` command line.
// The HTML report with SVG plots (report_html.{hpp,cpp}, to come) renders report_json().
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuning/trial.hpp"

namespace vkt::tune {

// The direction a journaled study was created with (InputError if its settings lack one).
Direction study_direction(const StudyState& state);

// Complete trials by value (best first), then pruned ones by their last value, then diverged,
// failed and running ones; ties by id.
std::vector<const Trial*> ranked_trials(const StudyState& state, Direction d);

// {"id","state","value","params","epochs_done","curve":[{"epoch","value","loss"}...],
//  "seed","reason"} — non-finite values become null (JSON has no NaN).
nlohmann::json trial_json(const Trial& trial);

// {"direction", "trials": [ranked...], "best": trial_json(best) or null}
nlohmann::json report_json(const StudyState& state, Direction d);

// "vktrain train --hidden 128 --lr 0.001 ..."; values that need it are shell-quoted.
std::string train_command(const Params& params);
// The command that retrains `trial` alone: the study's fixed train args (those the trial's
// params do not set), its epochs and the trial's own seed, then the params.
std::string train_command(const Trial& trial, const nlohmann::json& settings);

}  // namespace vkt::tune
