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

std::optional<int64_t> Storage::claim_orphan(const Owner& me, const std::function<bool(const Owner&)>& is_dead,
                                             int64_t below_id) {
  std::optional<int64_t> claimed;
  transact([&](const StudyState& s) -> std::vector<Record> {
    claimed.reset();
    for (const Trial& t : s.trials) {
      if (t.state != TrialState::Running || t.id >= below_id) continue;
      if (!(is_dead ? is_dead(t.owner) : owner_is_dead(t.owner))) continue;
      claimed = t.id;
      return {TrialStarted{t.id, t.params, t.seed, me, true}};
    }
    return {};
  });
  return claimed;
}

}  // namespace vkt::tune::storage
