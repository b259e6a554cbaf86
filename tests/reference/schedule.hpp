#pragma once
// Learning-rate schedules as pure functions of the step t (t counts from 0).
#include <cstdint>
#include <functional>
#include <vector>

namespace vkt::ref {

double lr_constant(double lr, int64_t t);
// lr * gamma^floor(t / step_size)   (PyTorch StepLR)
double lr_step(double lr, double gamma, int64_t step_size, int64_t t);
// lr * gamma^(t / decay_steps), continuous exponent   (Keras ExponentialDecay, staircase=False)
double lr_exponential(double lr, double gamma, double decay_steps, int64_t t);
// lr / (1 + alpha * t / decay_steps)   (Keras InverseTimeDecay, staircase=False)
double lr_inverse_time(double lr, double alpha, double decay_steps, int64_t t);
// lr * (min_ratio + (1 - min_ratio) * 0.5 * (1 + cos(pi * t / T))), with t clamped to T so the
// rate stays at lr * min_ratio after the schedule ends (Keras CosineDecay's alpha = min_ratio).
double lr_cosine(double lr, int64_t T, double min_ratio, int64_t t);

// lr * (r + (1 - r) * (1 - t / T)), t clamped to T   (Keras PolynomialDecay, power 1, end lr * r)
double lr_linear(double lr, int64_t T, double final_ratio, int64_t t);

// Keras's ReduceLROnPlateau on a loss, without cooldown: the base rate of each epoch
// (element e is epoch e's, 0-based) when epoch e ended with validation loss val_losses[e].
// One more element than losses: the last is the rate after the final epoch.
std::vector<double> lr_plateau(double lr, int patience, double factor, double min_lr, double min_delta,
                               const std::vector<double>& val_losses);

// Linear warm-up: for t < W, lr * (t + 1) / W; afterwards after(t - W), i.e. the chosen schedule
// starts from its own step 0 when warm-up ends. W == 0 means no warm-up.
double lr_warmup(double lr, int64_t W, int64_t t, const std::function<double(int64_t)>& after);

}  // namespace vkt::ref
