#pragma once
// Report data from a study's state: trials ranked best first, the best trial, a JSON document
// with per-epoch curves, cross-validation folds, the refit, parameter importances, and the
// best params as a ready `vktrain train` command line. report_html.hpp draws the same data.
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

// A cross-validated trial's folds (settings "cv_folds" = K, "epochs" = E): fold f's final value
// is the one reported at step (f + 1) * E. Empty for studies without cross-validation and for
// trials stopped before their first fold ended.
struct FoldSummary {
  std::vector<double> values;
  double mean = 0, std = 0;  // population standard deviation over the folds that finished
};
FoldSummary fold_summary(const Trial& trial, const nlohmann::json& settings);

// {"direction", "trials": [ranked...], "best": trial_json(best) or null,
//  "refit": {"trial", "train_images", "epochs", "test_acc", "test_loss", "seconds"} or absent};
// with cross-validation each trial also has "cv": {"folds": [...], "mean", "std"};
// "importance": [{"name", "importance", "std"}...] by fANOVA, most important first, empty
// when not computable (see tuning/importance/importance.hpp).
nlohmann::json report_json(const StudyState& state, Direction d);

// "vktrain train --hidden 128 --lr 0.001 ..."; values that need it are shell-quoted.
std::string train_command(const Params& params);
// The command that retrains `trial` alone: the study's fixed train args (those the trial's
// params do not set), its epochs and the trial's own seed, then the params. For a --command
// study (settings "command"), study_command: the command as the trial ran it.
std::string train_command(const Trial& trial, const nlohmann::json& settings);
// A --command study's template with the trial's params put in (tuning/command_objective.hpp).
std::string study_command(const Trial& trial, const std::string& command_template);

}  // namespace vkt::tune
