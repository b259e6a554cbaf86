#pragma once
// What a study knows about its trials: the in-memory picture the journal replays into, and
// the history samplers and pruners decide from.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuning/direction.hpp"
#include "tuning/value.hpp"

namespace vkt::tune {

enum class TrialState : uint8_t { Running = 0, Complete = 1, Pruned = 2, Failed = 3, Diverged = 4 };

const char* state_name(TrialState s);
bool is_finished(TrialState s);

struct EpochReport {
  double value = 0;  // the objective (val_acc or val_loss) after this epoch
  double loss = 0;   // training loss, kept for curves
};

// Who runs (or ran) a trial; orphan detection asks whether this process still exists.
struct Owner {
  std::string host;
  int64_t pid = 0;
  std::string worker;  // a free label (e.g. "gpu0"), shown in reports
};

struct Trial {
  int64_t id = 0;
  Params params;  // searched and fixed values: what the trial trains with
  uint64_t seed = 0;
  Owner owner;
  int resumed = 0;  // how many times a new process took it over after its owner died
  TrialState state = TrialState::Running;
  double value = 0;     // final value (Complete) or last reported one (Pruned/Diverged)
  std::string reason;   // why it failed, diverged or was pruned
  std::map<int, EpochReport> epochs;
  std::optional<std::pair<int, std::string>> checkpoint;  // last written: epoch, path

  int epochs_done() const { return epochs.empty() ? 0 : epochs.rbegin()->first; }
};

// `tune --refit`, as GridSearchCV's refit: the best trial's setting trained on the whole
// training set (no validation hold-out), evaluated once on the test set.
struct RefitResult {
  int64_t trial_id = 0;
  uint32_t train_images = 0, epochs = 0;
  double test_accuracy = 0, test_loss = 0;
  double seconds = 0;
};

struct StudyState {
  nlohmann::json settings;             // from the study-created record
  std::vector<Trial> trials;           // index == id: ids are contiguous from 0
  std::vector<uint8_t> sampler_state;  // the latest saved sampler state; empty before the first
  std::optional<RefitResult> refit;    // the latest refit, if any
};

// The read-only view samplers and pruners decide from.
struct History {
  const std::vector<Trial>& trials;
  Direction direction;
};

// The best Complete trial, or nullptr when none has completed.
const Trial* best_trial(const std::vector<Trial>& trials, Direction d);

}  // namespace vkt::tune
