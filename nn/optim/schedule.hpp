#pragma once
// Learning-rate schedules, host side: the rate as a pure function of the schedule step t
// (t counts from 0; the optimizer's step t >= 1 uses schedule step t - 1, see
// nn/optim/step_values.hpp). Computed in double, exactly as tests/reference/schedule.hpp.
#include <cstdint>
#include <string>
#include <string_view>

namespace vkt::nn {

enum class ScheduleKind {
  Constant,     // lr
  Step,         // lr * gamma^floor(t / step_size)                       (PyTorch StepLR)
  Exponential,  // lr * gamma^(t / decay_steps)                          (Keras ExponentialDecay)
  InverseTime,  // lr / (1 + alpha * t / decay_steps)                    (Keras InverseTimeDecay)
  Cosine,       // lr * (m + (1 - m) * (1 + cos(pi * min(t, T) / T)) / 2), m = min_ratio (Keras CosineDecay)
};

struct Schedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double gamma = 0.1;        // Step, Exponential: decay factor
  int64_t step_size = 1;     // Step: steps between decays
  double decay_steps = 1.0;  // Exponential, InverseTime: time scale
  double alpha = 1.0;        // InverseTime: decay rate
  int64_t T = 1;             // Cosine: steps until the rate reaches lr * min_ratio
  double min_ratio = 0.0;    // Cosine: final rate as a fraction of lr
  // Linear warm-up composed with any of the above: for t < warmup the rate is
  // lr * (t + 1) / warmup; afterwards the schedule runs from its own step 0 (at t - warmup).
  int64_t warmup = 0;

  // Throws InputError for impossible parameters (step_size, decay_steps, T <= 0, warmup < 0).
  void validate() const;
  // The rate at schedule step t >= 0 for base rate lr.
  double lr(double base_lr, int64_t t) const;
};

// "constant", "step", "exp", "inverse-time", "cosine" -> kind (other fields keep their
// defaults). Throws InputError listing the valid names.
ScheduleKind parse_schedule(std::string_view name);
std::string schedule_name(ScheduleKind kind);

}  // namespace vkt::nn
