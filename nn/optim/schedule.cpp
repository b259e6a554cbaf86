#include "nn/optim/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "util/error.hpp"

namespace vkt::nn {

void Schedule::validate() const {
  auto bad = [](const std::string& what) { throw InputError("learning-rate schedule: " + what); };
  if (warmup < 0) bad("warm-up steps must be >= 0");
  switch (kind) {
    case ScheduleKind::Constant: break;
    case ScheduleKind::Step:
      if (step_size <= 0) bad("step_size must be positive");
      break;
    case ScheduleKind::Exponential:
    case ScheduleKind::InverseTime:
      if (!(decay_steps > 0)) bad("decay_steps must be positive");
      break;
    case ScheduleKind::Cosine:
    case ScheduleKind::Linear:
      if (T <= 0) bad("the " + schedule_name(kind) + " schedule's length T must be positive");
      if (!(min_ratio >= 0 && min_ratio <= 1)) bad("the final rate ratio must be in [0, 1]");
      break;
    case ScheduleKind::Plateau:
      if (plateau.patience == 0) bad("the plateau patience must be at least 1 epoch");
      if (!(plateau.factor > 0 && plateau.factor < 1)) bad("the plateau factor must be in (0, 1)");
      if (!(plateau.min_lr >= 0 && std::isfinite(plateau.min_lr))) bad("the minimum rate must be finite and >= 0");
      if (!(plateau.min_delta >= 0 && std::isfinite(plateau.min_delta))) bad("min_delta must be finite and >= 0");
      break;
  }
}

// The expressions are written as in tests/reference/schedule.cpp so the doubles agree bit for bit.
double Schedule::lr(double base_lr, int64_t t) const {
  validate();
  if (t < 0) throw InputError("learning-rate schedule: step t must be >= 0");
  if (t < warmup) return base_lr * double(t + 1) / double(warmup);
  t -= warmup;
  switch (kind) {
    case ScheduleKind::Constant:
    case ScheduleKind::Plateau: return base_lr;
    case ScheduleKind::Step: return base_lr * std::pow(gamma, double(t / step_size));
    case ScheduleKind::Exponential: return base_lr * std::pow(gamma, double(t) / decay_steps);
    case ScheduleKind::InverseTime: return base_lr / (1.0 + alpha * double(t) / decay_steps);
    case ScheduleKind::Cosine: {
      const double tc = double(std::min(t, T));
      return base_lr *
             (min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + std::cos(std::numbers::pi * tc / double(T))));
    }
    case ScheduleKind::Linear: {
      const double tc = double(std::min(t, T));
      return base_lr * (min_ratio + (1.0 - min_ratio) * (1.0 - tc / double(T)));
    }
  }
  return base_lr;
}

ScheduleKind parse_schedule(std::string_view name) {
  if (name == "constant") return ScheduleKind::Constant;
  if (name == "step") return ScheduleKind::Step;
  if (name == "exp") return ScheduleKind::Exponential;
  if (name == "inverse-time") return ScheduleKind::InverseTime;
  if (name == "cosine") return ScheduleKind::Cosine;
  if (name == "linear") return ScheduleKind::Linear;
  if (name == "plateau") return ScheduleKind::Plateau;
  throw InputError("unknown learning-rate schedule '" + std::string(name) +
                   "': valid names are constant, step, exp, inverse-time, cosine, linear, plateau");
}

std::string schedule_name(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::Constant: return "constant";
    case ScheduleKind::Step: return "step";
    case ScheduleKind::Exponential: return "exp";
    case ScheduleKind::InverseTime: return "inverse-time";
    case ScheduleKind::Cosine: return "cosine";
    case ScheduleKind::Linear: return "linear";
    case ScheduleKind::Plateau: return "plateau";
  }
  return "?";
}

}  // namespace vkt::nn
