#pragma once
// How the search space looks to the Parzen estimator: one model coordinate per parameter, in
// which kernels are placed and bandwidths measured. The coordinate is the normalized space of
// Optuna's TPE (an affine change of it leaves the ratio l(x)/g(x) unchanged):
//  - float: the value, or its log for log parameters;
//  - int with a step: the index k = (v - low) / step on the step grid, each value standing for
//    the cell k +- 1/2, with the bounds widened by half a step: [-1/2, K + 1/2];
//  - int, log: log v, each value standing for [log(v - 1/2), log(v + 1/2)] within
//    [log(low - 1/2), log(high + 1/2)], so the end values are as likely as their neighbours;
//  - categorical: the choice's index.
#include <vector>

#include "tuning/samplers/tpe/parzen_estimator.hpp"
#include "tuning/space.hpp"
#include "tuning/trial.hpp"

namespace vkt::tune::tpe {

Dimension dimension_of(const Parameter& p);

double to_model(const Parameter& p, const Value& v);  // v must be legal for p

// The nearest legal value: clamped to the bounds, ints rounded onto their grid.
Value from_model(const Parameter& p, double x);

// The observations of `params` jointly: one point per trial of `group` that holds a legal
// value of every one of them, in the group's order. A trial where a conditional parameter was
// inactive holds no value of it, so it is left out: a parameter is modelled only from the
// trials in which it existed.
std::vector<Point> observations_of(const std::vector<const Parameter*>& params,
                                   const std::vector<const Trial*>& group);

}  // namespace vkt::tune::tpe
