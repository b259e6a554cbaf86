#include "tuning/study.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "tuning/hash.hpp"
#include "tuning/rng.hpp"
#include "util/format.hpp"
#include "tuning/storage/open_storage.hpp"
#include "tuning/storage/owner.hpp"
#include "util/error.hpp"

namespace vkt::tune {
namespace {

using namespace storage;

std::string number(double v) { return format_significant(v, 6); }

// Runs one claimed trial to its end and journals how it ended, for as long as it is ours:
// every record goes through append_as_owner, and once another worker has taken the trial
// over (our lease expired while we were stalled) we stop at the next epoch and journal
// nothing more.
class TrialRunner {
 public:
  TrialRunner(Storage& storage, Pruner& pruner, const StudySettings& settings, const Owner& me)
      : storage_(storage), pruner_(pruner), settings_(settings), me_(me) {}

  // False when the trial was lost to another worker before it ended.
  bool run(int64_t id, bool resumed, Objective& objective) {
    const Trial trial = storage_.state().trials.at(size_t(id));
    checkpointed_ = trial.checkpoint.has_value();
    TrialContext ctx;
    ctx.trial_id = id;
    ctx.params = trial.params;
    ctx.seed = trial.seed;
    ctx.epochs = settings_.epochs;
    if (resumed && trial.checkpoint) {
      try {
        ctx.resume_checkpoint = storage_.local_checkpoint(id, trial.checkpoint->first, trial.checkpoint->second);
        ctx.resume_epoch = trial.checkpoint->first;
      } catch (const Error& e) {
        std::fprintf(stderr, "vktrain: warning: trial %lld starts over: %s\n", static_cast<long long>(id), e.what());
      }
    }
    if (resumed)
      for (const auto& [epoch, r] : trial.epochs) ctx.reported[epoch] = r.value;
    ctx.report = [&](int epoch, double value, double loss) { return report(id, epoch, value, loss); };
    ctx.checkpoint_written = [&](int epoch, const std::string& path) {
      if (lost_) return;
      checkpointed_ = true;
      const std::string stored = storage_.keep_checkpoint(id, epoch, path);
      if (!storage_.append_as_owner(me_, id, {CheckpointWritten{id, epoch, stored}})) lost_ = true;
    };

    TrialFinished finished{id, TrialState::Complete, 0, ""};
    TrialResult result;
    try {
      result = objective.run(ctx);
    } catch (const std::exception& e) {
      finished.state = TrialState::Failed;
      finished.reason = e.what();
    } catch (...) {
      finished.state = TrialState::Failed;
      finished.reason = "unknown exception";
    }
    if (lost_) return false;
    if (finished.state == TrialState::Failed) {
      finished.value = last_value_;
    } else if (stop_) {
      finished.state = *stop_;
      finished.value = last_value_;
      finished.reason = stop_reason_;
    } else if (!std::isfinite(result.value)) {
      finished.state = TrialState::Diverged;
      finished.value = result.value;
      finished.reason = "final value is " + number(result.value);
    } else {
      finished.value = result.value;
    }
    if (!storage_.append_as_owner(me_, id, {finished})) return false;
    if (checkpointed_) storage_.drop_checkpoints(id);
    return true;
  }

 private:
  bool report(int64_t id, int epoch, double value, double loss) {
    if (stop_ || lost_) return false;  // the objective ignored an earlier stop; do not journal more
    if (!storage_.append_as_owner(me_, id, {EpochReported{id, epoch, value, loss}})) {
      lost_ = true;
      return false;
    }
    last_value_ = value;
    if (!std::isfinite(value)) {
      stop_ = TrialState::Diverged;
      stop_reason_ = "value became " + number(value) + " at epoch " + std::to_string(epoch);
      return false;
    }
    const History history{storage_.state().trials, settings_.direction};
    if (pruner_.should_prune(id, epoch, value, history)) {
      stop_ = TrialState::Pruned;
      stop_reason_ = "pruned by " + pruner_.name() + " at epoch " + std::to_string(epoch);
      return false;
    }
    return true;
  }

  Storage& storage_;
  Pruner& pruner_;
  const StudySettings& settings_;
  const Owner me_;
  double last_value_ = std::nan("");
  std::optional<TrialState> stop_;
  std::string stop_reason_;
  bool lost_ = false;
  bool checkpointed_ = false;  // the trial has checkpoints to drop when it ends
};

// Holds the worker's lease for as long as run_study runs, and gives it up however it ends.
class LeaseHolder {
 public:
  LeaseHolder(Storage& storage, const Owner& me) : storage_(storage) { storage_.hold_lease(me); }
  ~LeaseHolder() { storage_.release_lease(); }
  LeaseHolder(const LeaseHolder&) = delete;
  LeaseHolder& operator=(const LeaseHolder&) = delete;

 private:
  Storage& storage_;
};

}  // namespace

uint64_t trial_seed(uint64_t study_seed, int64_t trial_id) {
  return splitmix64(study_seed ^ splitmix64(uint64_t(trial_id)));
}

nlohmann::json study_settings_json(const Space& space, const StudySettings& settings, const Sampler& sampler,
                                   const Pruner& pruner) {
  nlohmann::json j = {{"direction", direction_name(settings.direction)},
                      {"epochs", settings.epochs},
                      {"seed", settings.seed},
                      {"train_args", settings.train_args},
                      {"sampler", sampler.config()},
                      {"pruner", pruner.config()},
                      {"space", space.canonical_json()}};
  // Written only when set, so studies made before these existed keep their fingerprint.
  if (!settings.command.empty()) j["command"] = settings.command;
  if (settings.cv_folds > 0) j["cv_folds"] = settings.cv_folds;
  return j;
}

uint64_t study_fingerprint(const Space& space, const nlohmann::json& settings_json) {
  return fnv1a64(settings_json.dump(), space.space_hash());
}

std::unique_ptr<Storage> open_study(const std::string& spec, const Space& space, const StudySettings& settings,
                                    const Sampler& sampler, const Pruner& pruner, const StorageOptions& options) {
  const auto json = study_settings_json(space, settings, sampler, pruner);
  return open_storage(spec, study_fingerprint(space, json), json, options);
}

StudyOutcome run_study(Storage& storage, const Space& space, Sampler& sampler, Pruner& pruner,
                       const StudySettings& settings, Objective& objective, const StudyCallbacks& callbacks) {
  if (settings.trials < 0) throw InputError("--trials must not be negative");
  const Owner me = this_process(settings.worker);
  const LeaseHolder lease(storage, me);  // before the first claim: a trial's owner has a lease
  StudyOutcome outcome;
  for (;;) {
    bool resumed = true;
    std::optional<int64_t> id = storage.claim_orphan(me, storage.owner_judge(), settings.trials);
    if (!id) {
      resumed = false;
      id = storage.claim_next_trial(settings.trials, me, [&](const StudyState& s) -> std::optional<Proposal> {
        // Continue from the sequence as journaled, whichever process drew last.
        if (!s.sampler_state.empty()) sampler.restore_state(s.sampler_state);
        auto params = sampler.sample(space, History{s.trials, settings.direction});
        outcome.sampler_exhausted = !params;  // set on every call: a storage may decide twice
        if (!params) return std::nullopt;
        space.check(*params);
        return Proposal{space.with_fixed(*params), trial_seed(settings.seed, int64_t(s.trials.size())),
                        sampler.save_state()};
      });
    }
    if (!id) break;

    const auto start = std::chrono::steady_clock::now();
    if (!TrialRunner(storage, pruner, settings, me).run(*id, resumed, objective)) {
      ++outcome.trials_lost;
      const Owner& now = storage.state().trials.at(size_t(*id)).owner;
      std::fprintf(stderr, "vktrain: warning: trial %lld was taken over by %s (pid %lld) while this worker was "
                   "out of touch; dropped it\n", static_cast<long long>(*id), now.host.c_str(),
                   static_cast<long long>(now.pid));
      continue;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++outcome.trials_run;
    if (callbacks.on_trial_finished) {
      const auto& trials = storage.state().trials;
      callbacks.on_trial_finished(
          TrialSummary{trials.at(size_t(*id)), seconds, best_trial(trials, settings.direction), resumed});
    }
  }
  return outcome;
}

std::string format_trial_line(const TrialSummary& s) {
  std::string line = "trial " + std::to_string(s.trial.id) + (s.resumed ? " (resumed)" : "") + " " +
                     state_name(s.trial.state) + " value=" + number(s.trial.value) + " (" + number(s.seconds) + " s)";
  for (const auto& [name, value] : s.trial.params) line += " " + name + "=" + to_display_string(value);
  if (!s.trial.reason.empty()) line += " [" + s.trial.reason + "]";
  if (s.best) line += " | best: trial " + std::to_string(s.best->id) + " value=" + number(s.best->value);
  return line;
}

}  // namespace vkt::tune
