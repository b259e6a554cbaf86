#include "tuning/storage/replay.hpp"

#include "util/error.hpp"
#include "util/json_input.hpp"

namespace vkt::tune::storage {
namespace {

struct Apply {
  StudyState& s;

  Trial& trial(int64_t id) {
    if (id < 0 || id >= int64_t(s.trials.size())) throw Error("record for unknown trial " + std::to_string(id));
    return s.trials[size_t(id)];
  }

  void operator()(const StudyCreated& r) {
    try {
      s.settings = parse_json(r.settings_json, "study settings");
    } catch (const InputError& e) {
      throw Error(e.what());
    }
  }
  void operator()(const TrialStarted& r) {
    if (r.resumed) {
      Trial& t = trial(r.trial_id);
      t.owner = r.owner;
      t.state = TrialState::Running;
      ++t.resumed;
      return;
    }
    if (r.trial_id != int64_t(s.trials.size()))
      throw Error("trial " + std::to_string(r.trial_id) + " started, expected id " + std::to_string(s.trials.size()));
    Trial t;
    t.id = r.trial_id;
    t.params = r.params;
    t.seed = r.seed;
    t.owner = r.owner;
    s.trials.push_back(std::move(t));
  }
  void operator()(const EpochReported& r) { trial(r.trial_id).epochs[r.epoch] = {r.value, r.loss}; }
  void operator()(const CheckpointWritten& r) { trial(r.trial_id).checkpoint = std::make_pair(int(r.epoch), r.path); }
  void operator()(const TrialFinished& r) {
    Trial& t = trial(r.trial_id);
    t.state = r.state;
    t.value = r.value;
    t.reason = r.reason;
  }
  void operator()(const SamplerState& r) { s.sampler_state = r.blob; }
  void operator()(const RefitFinished& r) {
    trial(r.result.trial_id);  // must name a trial of this study
    s.refit = r.result;        // a later refit replaces an earlier one
  }
};

}  // namespace

void apply_record(StudyState& state, const Record& record) { std::visit(Apply{state}, record); }

}  // namespace vkt::tune::storage
