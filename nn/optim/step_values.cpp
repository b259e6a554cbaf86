#include "nn/optim/step_values.hpp"

#include <cmath>

#include "util/error.hpp"

namespace vkt::nn {

StepBlock step_values(const OptimizerConfig& c, const Schedule& schedule, uint64_t t) {
  return step_values(c, schedule, t, c.lr);
}

StepBlock step_values(const OptimizerConfig& c, const Schedule& schedule, uint64_t t, double base_lr) {
  if (t == 0 || t > UINT32_MAX) throw InputError("step_values: the optimizer step t must be in [1, 2^32)");
  StepBlock b;
  b.step = uint32_t(t);
  b.lr = float(schedule.lr(base_lr, int64_t(t - 1)));
  if (c.kind == OptimizerKind::Adam || c.kind == OptimizerKind::AdamW) {
    b.bias_correction1 = float(1.0 - std::pow(c.beta1, double(t)));
    b.bias_correction2 = float(1.0 - std::pow(c.beta2, double(t)));
  }
  return b;
}

}  // namespace vkt::nn
