#pragma once
// The rung rule that ASHA and Hyperband share: a trial that reaches a rung competes with every
// value recorded at that rung so far by the trials it competes with (its own included) and
// goes on only if it is among the top 1/eta of them (at least the single best). Deciding from
// what has been recorded, rather than waiting for a full rung, keeps parallel workers busy.
#include <cstdint>
#include <functional>

#include "tuning/trial.hpp"

namespace vkt::tune {

// True when `value`, reported by `trial_id` at `epoch`, falls outside the top 1/eta of the
// values at `epoch` of the trials for which `competes` holds. NaN is always pruned.
bool successive_halving_prunes(int64_t trial_id, int epoch, double value, const History& history, int eta,
                               const std::function<bool(const Trial&)>& competes);

// Is `epoch` one of first, first * eta, first * eta^2, ...?
bool is_rung_epoch(int epoch, int first, int eta);

}  // namespace vkt::tune
