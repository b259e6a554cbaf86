#pragma once
// Which parameters mattered in a study: fANOVA over a random forest (the method of Optuna's
// default importance evaluator). A forest is fitted to the Complete trials' values, and each
// tree's variance is split into per-parameter main effects (fanova.hpp); a parameter's
// importance is its share of its tree's variance, averaged over the trees and normalized so the
// list sums to 1. Negating the values changes no variance, so the direction does not matter.
//
// How parameters become features:
//  - numeric ones in the normalized unit space of tuning/normalize.hpp (log where log), so the
//    uniform measure fANOVA integrates over is the space's own prior;
//  - a categorical is one categorical feature (subset splits, one importance), not one-hot
//    columns: one-hot boxes contain points that are no choice at all (none or two set);
//  - a conditional parameter inactive in some trials gets an "inactive" slot beside its active
//    range (numeric: the interval [-q/(1-q), 0), never merged with active values by a split;
//    categorical: one more category) whose measure is the share q of the trials in which it was
//    inactive. The marginal then averages over the space the way the study visited it, and an
//    inactive trial's value still tells the forest something (how the other branch did)
//    instead of the trial being dropped. Whether a parameter is active splits the trials just
//    as its condition's key does, so the forest's random tie-breaks share that effect between
//    them (and any sibling conditional on the same key).
// Not computed (an empty list) with fewer than 2 usable trials or when no tree has any
// variance; a parameter that never varies gets importance 0.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuning/importance/random_forest.hpp"
#include "tuning/space.hpp"
#include "tuning/trial.hpp"

namespace vkt::tune {

struct ParamImportance {
  std::string name;
  double importance = 0;  // its normalized share; the list sums to 1
  double std = 0;         // the standard deviation of its share over the trees, on the same scale
};

// Most important first (ties by name). Complete trials with a finite value count; a trial
// whose params do not fit the space (an unconditional parameter missing, a value out of
// range) is skipped.
std::vector<ParamImportance> parameter_importance(const Space& space, const std::vector<Trial>& trials,
                                                  const importance::ForestOptions& options = {});

// The same for a journaled study, whose settings["space"] holds its canonical space; empty
// when the settings have no space (journals of tests and older tools).
std::vector<ParamImportance> parameter_importance(const StudyState& state,
                                                  const importance::ForestOptions& options = {});

// [{"name", "importance", "std"}, ...] in the list's order.
nlohmann::json importance_json(const std::vector<ParamImportance>& importances);

}  // namespace vkt::tune
