#pragma once
// Every parameter seen as a coordinate in [0, 1], so the genetic operators blend and mutate
// all kinds of parameters with one rule. Log parameters are linear in log space (1e-4..1e-2
// puts 1e-3 at 0.5); categoricals map to the middle of their index's slot.
#include "tuning/rng.hpp"
#include "tuning/space.hpp"

namespace vkt::tune {

double to_unit(const Parameter& p, const Value& v);

// Clamps u to [0, 1]; ints are rounded onto their step grid, categoricals pick the slot.
Value from_unit(const Parameter& p, double u);

// A fresh value drawn from the parameter's prior: uniform (or log-uniform), every int step and
// every choice equally likely.
Value draw_value(const Parameter& p, Rng& rng);

// Walks the parameters in dependency order: keeps values whose condition holds, drops the
// ones whose condition fails, and draws fresh values for active parameters that are missing.
// Operators call it after changing values so conditional parameters always stay consistent.
Params resolve_conditions(const Space& space, const Params& proposal, Rng& rng);

}  // namespace vkt::tune
