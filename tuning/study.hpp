#pragma once
// The study loop: claim a trial (an orphan to resume first, else a new one), run the objective,
// journal everything, repeat until the study has its total number of trials. Re-running a study
// resumes it; several processes may run the same study at once (the storage keeps them apart:
// a journal file, or a PostgreSQL database for processes on several hosts).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "tuning/objective.hpp"
#include "tuning/pruners/pruner.hpp"
#include "tuning/samplers/sampler.hpp"
#include "tuning/storage/storage.hpp"

namespace vkt::tune {

struct StudySettings {
  int64_t trials = 10;  // the study's total, counting trials of earlier runs; not fingerprinted
  Direction direction = Direction::Maximize;
  int epochs = 10;
  uint64_t seed = 0;
  std::string worker;  // a label for this process in the journal (e.g. the device name)
  // The fixed `vktrain train` options every trial shares, as given ("--model", "cnn", ...):
  // part of what defines the study, and what its suggested train command starts from.
  std::vector<std::string> train_args;
  // A `--command` study: the command template every trial runs (empty: trials train a model).
  std::string command;
  // K of K-fold cross-validation (0: the one validation split). Each fold's epochs are
  // reported in turn, so a trial has cv_folds * epochs steps (see apps/train_objective.hpp).
  int cv_folds = 0;
};

// The settings a study is fixed to: direction, epochs, seed, train args, sampler, pruner, space.
nlohmann::json study_settings_json(const Space& space, const StudySettings& settings, const Sampler& sampler,
                                   const Pruner& pruner);
uint64_t study_fingerprint(const Space& space, const nlohmann::json& settings_json);

// Opens (or creates) the study `spec`, a journal file path or a postgresql:// URI
// (storage/open_storage.hpp); InputError if it was made with other settings.
std::unique_ptr<storage::Storage> open_study(const std::string& spec, const Space& space, const StudySettings& settings,
                                             const Sampler& sampler, const Pruner& pruner,
                                             const storage::StorageOptions& options = {});

// What the loop tells its caller after each trial, to print as it likes.
struct TrialSummary {
  const Trial& trial;
  double seconds = 0;
  const Trial* best = nullptr;  // best complete trial so far (may be this one)
  bool resumed = false;
};

struct StudyCallbacks {
  std::function<void(const TrialSummary&)> on_trial_finished;
};

struct StudyOutcome {
  int64_t trials_run = 0;          // by this call
  int64_t trials_lost = 0;         // taken over by another worker while this one was out of touch
  bool sampler_exhausted = false;  // the sampler had nothing left (grid done) before the total
};

StudyOutcome run_study(storage::Storage& storage, const Space& space, Sampler& sampler, Pruner& pruner,
                       const StudySettings& settings, Objective& objective, const StudyCallbacks& callbacks = {});

// "trial 3 complete value=0.9123 (12.4 s) lr=0.001 hidden=128 | best: trial 1 value=0.93"
std::string format_trial_line(const TrialSummary& summary);

// The seed of trial `id`: every trial differs, and the same study seed gives the same seeds.
uint64_t trial_seed(uint64_t study_seed, int64_t trial_id);

}  // namespace vkt::tune
