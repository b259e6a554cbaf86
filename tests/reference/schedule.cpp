#include "tests/reference/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace vkt::ref {

double lr_constant(double lr, int64_t) { return lr; }

double lr_step(double lr, double gamma, int64_t step_size, int64_t t) {
  if (step_size <= 0) throw std::invalid_argument("lr_step: step_size must be positive");
  return lr * std::pow(gamma, double(t / step_size));  // integer division = floor for t >= 0
}

double lr_exponential(double lr, double gamma, double decay_steps, int64_t t) {
  return lr * std::pow(gamma, double(t) / decay_steps);
}

double lr_inverse_time(double lr, double alpha, double decay_steps, int64_t t) {
  return lr / (1.0 + alpha * double(t) / decay_steps);
}

double lr_cosine(double lr, int64_t T, double min_ratio, int64_t t) {
  if (T <= 0) throw std::invalid_argument("lr_cosine: T must be positive");
  const double tc = double(std::min(t, T));
  return lr * (min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + std::cos(std::numbers::pi * tc / double(T))));
}

double lr_linear(double lr, int64_t T, double final_ratio, int64_t t) {
  if (T <= 0) throw std::invalid_argument("lr_linear: T must be positive");
  const double tc = double(std::min(t, T));
  return lr * (final_ratio + (1.0 - final_ratio) * (1.0 - tc / double(T)));
}

std::vector<double> lr_plateau(double lr, int patience, double factor, double min_lr, double min_delta,
                               const std::vector<double>& val_losses) {
  std::vector<double> rates = {lr};
  double best = INFINITY;
  int wait = 0;
  for (const double loss : val_losses) {
    if (loss < best - min_delta) {
      best = loss;
      wait = 0;
    } else if (++wait >= patience) {
      wait = 0;
      if (lr > min_lr) lr = std::max(lr * factor, min_lr);
    }
    rates.push_back(lr);
  }
  return rates;
}

double lr_warmup(double lr, int64_t W, int64_t t, const std::function<double(int64_t)>& after) {
  if (t < W) return lr * double(t + 1) / double(W);
  return after(t - W);
}

}  // namespace vkt::ref
