#pragma once
// Which trials the TPE sampler learns from, and how it splits them into the good ("below",
// modelled by l(x)) and the rest ("above", modelled by g(x)). The rules are Optuna's:
//  - Complete trials rank first, by value (best first);
//  - Pruned trials rank after them, by the last epoch they reached (further is better), then
//    by their value there; a pruned trial that never reported ranks last among them;
//  - Diverged trials rank after those: they have no usable value, but the region they were in
//    (a learning rate too high, say) is bad, so g(x) learns it and l(x) never does. (Optuna
//    drops NaN results as failures; here divergence is common and informative.)
//  - Running trials, with the constant liar, rank last: they sit in g(x), so a parallel worker
//    is steered away from the points other workers are already training;
//  - Failed trials are left out: a crash says nothing about the point.
// Ties keep chronological order. Only Complete and Pruned trials count as observations (n):
// n decides when modelling starts and the size gamma(n) of the good group.
#include <cstddef>
#include <vector>

#include "tuning/trial.hpp"

namespace vkt::tune::tpe {

// gamma(n), the size of the good group: min(ceil(0.1 n), 25).
size_t good_count(size_t n);

// Optuna's kernel weights for n observations in chronological order: 1 each below 25; from
// 25 on, the n - 25 oldest ramp linearly from 1/n up to 1 and the 25 newest weigh 1.
std::vector<double> default_weights(size_t n);

struct Ranking {
  std::vector<size_t> order;  // indices into history.trials, best first
  size_t observations = 0;    // how many are Complete or Pruned (n): they lead the order
};

Ranking rank_trials(const History& history, bool constant_liar);

struct Split {
  std::vector<const Trial*> below;  // the gamma(n) best, in chronological order
  std::vector<const Trial*> above;  // every other ranked trial, in chronological order
  size_t observations = 0;          // n
};

Split split_trials(const History& history, bool constant_liar);

}  // namespace vkt::tune::tpe
