#pragma once
// The per-step block the host writes before each replay of the recorded training step.
#include <cstdint>

#include "nn/ops/step_block.hpp"
#include "nn/optim/optimizer.hpp"
#include "nn/optim/schedule.hpp"

namespace vkt::nn {

// The block for optimizer step t (t >= 1, the t of Adam's bias corrections):
//   step = t
//   lr   = schedule.lr(c.lr, t - 1)     (schedules count from 0: the first step gets lr(0))
//   bias_correction1 = 1 - beta1^t, bias_correction2 = 1 - beta2^t   (Adam/AdamW; 1 otherwise)
// All in double, then cast to float. Throws InputError for t == 0 or t >= 2^32.
StepBlock step_values(const OptimizerConfig& c, const Schedule& schedule, uint64_t t);
// The same with another base rate in place of c.lr: the one a plateau schedule has reached.
StepBlock step_values(const OptimizerConfig& c, const Schedule& schedule, uint64_t t, double base_lr);

}  // namespace vkt::nn
