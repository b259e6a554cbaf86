#include "tuning/trial.hpp"

#include <cmath>

namespace vkt::tune {

const char* state_name(TrialState s) {
  switch (s) {
    case TrialState::Running: return "running";
    case TrialState::Complete: return "complete";
    case TrialState::Pruned: return "pruned";
    case TrialState::Failed: return "failed";
    case TrialState::Diverged: return "diverged";
  }
  return "unknown";
}

bool is_finished(TrialState s) { return s != TrialState::Running; }

const Trial* best_trial(const std::vector<Trial>& trials, Direction d) {
  const Trial* best = nullptr;
  for (const auto& t : trials)
    if (t.state == TrialState::Complete && std::isfinite(t.value) && (!best || is_better(t.value, best->value, d)))
      best = &t;
  return best;
}

}  // namespace vkt::tune
