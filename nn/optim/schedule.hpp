#pragma once
// Learning-rate schedules, host side: the rate as a pure function of the schedule step t
// (t counts from 0; the optimizer's step t >= 1 uses schedule step t - 1, see
// nn/optim/step_values.hpp). Computed in double, exactly as tests/reference/schedule.hpp.
// The one schedule that is not a function of t, the reduction on a plateau, is decided by
// the validation loss at epoch ends (nn/optim/plateau.hpp): here it is constant, and the
// trainer passes the rate the plateau rule has reached as the base rate.
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
  Linear,       // lr * (m + (1 - m) * (1 - min(t, T) / T))             (Keras PolynomialDecay, power 1)
  Plateau,      // lr, reduced by `plateau` at epoch ends              (Keras ReduceLROnPlateau)
};

// ReduceLROnPlateau's rule, as Keras states it: after each epoch the validation loss is
// compared with the best so far; a drop by more than min_delta is an improvement. After
// `patience` epochs in a row without one, the rate becomes max(rate * factor, min_lr) and the
// count starts again.
struct PlateauRule {
  uint32_t patience = 10;
  double factor = 0.1;
  double min_lr = 0.0;
  double min_delta = 1e-4;
};

struct Schedule {
  ScheduleKind kind = ScheduleKind::Constant;
  double gamma = 0.1;        // Step, Exponential: decay factor
  int64_t step_size = 1;     // Step: steps between decays
  double decay_steps = 1.0;  // Exponential, InverseTime: time scale
  double alpha = 1.0;        // InverseTime: decay rate
  int64_t T = 1;             // Cosine, Linear: steps until the rate reaches lr * min_ratio
  double min_ratio = 0.0;    // Cosine, Linear: final rate as a fraction of lr
  PlateauRule plateau;       // Plateau
  // Linear warm-up composed with any of the above: for t < warmup the rate is
  // lr * (t + 1) / warmup; afterwards the schedule runs from its own step 0 (at t - warmup).
  int64_t warmup = 0;

  // Throws InputError for impossible parameters (step_size, decay_steps, T <= 0, warmup < 0,
  // min_ratio outside [0, 1], a plateau factor outside (0, 1) or patience 0).
  void validate() const;
  // The rate at schedule step t >= 0 for base rate lr.
  double lr(double base_lr, int64_t t) const;
};

// "constant", "step", "exp", "inverse-time", "cosine", "linear", "plateau" -> kind (other fields keep their
// defaults). Throws InputError listing the valid names.
ScheduleKind parse_schedule(std::string_view name);
std::string schedule_name(ScheduleKind kind);

}  // namespace vkt::nn
