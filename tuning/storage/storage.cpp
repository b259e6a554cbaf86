#include "tuning/storage/storage.hpp"

#include "tuning/storage/owner.hpp"

namespace vkt::tune::storage {

void Storage::append(const std::vector<Record>& records) {
  transact([&](const StudyState&) { return records; });
}

std::optional<int64_t> Storage::claim_next_trial(int64_t max_trials, const Owner& me,
                                                 const std::function<std::optional<Proposal>(const StudyState&)>& propose) {
  std::optional<int64_t> claimed;
  transact([&](const StudyState& s) -> std::vector<Record> {
    claimed.reset();  // a repeated call decides anew (see Storage::Decide)
    const auto next_id = int64_t(s.trials.size());
    if (next_id >= max_trials) return {};
    auto proposal = propose(s);
    if (!proposal) return {};
    claimed = next_id;
    return {TrialStarted{next_id, std::move(proposal->params), proposal->seed, me, false},
            SamplerState{std::move(proposal->sampler_state)}};
  });
  return claimed;
}

namespace {

const Trial* first_orphan(const StudyState& s, const Owner& me, const std::function<bool(const Owner&)>& is_dead,
                          int64_t below_id) {
  for (const Trial& t : s.trials) {
    if (t.state != TrialState::Running || t.id >= below_id || same_owner(t.owner, me)) continue;
    if (is_dead ? is_dead(t.owner) : owner_is_dead(t.owner)) return &t;
  }
  return nullptr;
}

}  // namespace

std::optional<int64_t> Storage::claim_orphan(const Owner& me, const std::function<bool(const Owner&)>& is_dead,
                                             int64_t below_id) {
  if (!first_orphan(state(), me, is_dead, below_id)) return std::nullopt;
  std::optional<int64_t> claimed;
  transact([&](const StudyState& s) -> std::vector<Record> {
    claimed.reset();
    const Trial* t = first_orphan(s, me, is_dead, below_id);
    if (!t) return {};
    claimed = t->id;
    return {TrialStarted{t->id, t->params, t->seed, me, true}};
  });
  return claimed;
}

bool Storage::append_as_owner(const Owner& me, int64_t trial_id, const std::vector<Record>& records) {
  bool owned = false;
  transact([&](const StudyState& s) -> std::vector<Record> {
    owned = trial_id >= 0 && size_t(trial_id) < s.trials.size() && s.trials[size_t(trial_id)].state == TrialState::Running &&
            same_owner(s.trials[size_t(trial_id)].owner, me);
    return owned ? records : std::vector<Record>{};
  });
  return owned;
}

std::function<bool(const Owner&)> Storage::owner_judge() {
  return [](const Owner& owner) { return owner_is_dead(owner); };
}

std::string Storage::keep_checkpoint(int64_t trial_id, int epoch, const std::string& path) {
  (void)trial_id, (void)epoch;
  return path;
}

}  // namespace vkt::tune::storage
