#pragma once
// Optimizer steps, weight penalties and gradient clipping, in double, on flat arrays.
// Each *_step updates p (and its state) in place for ONE step; t is the step number starting
// at 1 (Adam's bias correction depends on it). All arrays of one call have the same length.
#include <cstdint>
#include <span>
#include <vector>

namespace vkt::ref {

// PyTorch SGD with dampening 0:
//   g' = g + wd p;  v = mu v + g';  update = nesterov ? g' + mu v : v;  p -= lr update.
// With momentum == 0 the update is g' and v is neither read nor written (may be empty).
// v starts at zero, so the first step gives v = g', matching PyTorch's buffer initialization.
void sgd_step(std::span<double> p,          // (n) parameters, updated
              std::span<const double> g,    // (n) gradient
              std::span<double> v,          // (n) momentum buffer, updated (or empty if momentum == 0)
              double lr, double momentum = 0.0, double weight_decay = 0.0, bool nesterov = false);

constexpr double kAdamBeta1 = 0.9, kAdamBeta2 = 0.999;
constexpr double kAdamEps = 1e-7;  // the Keras default (PyTorch uses 1e-8): pass eps to override

// Adam with L2-style weight decay folded into the gradient:
//   g' = g + wd p;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2;
//   mhat = m / (1 - b1^t);  vhat = v / (1 - b2^t);  p -= lr mhat / (sqrt(vhat) + eps).
void adam_step(std::span<double> p,        // (n) updated
               std::span<const double> g,  // (n)
               std::span<double> m,        // (n) first moment, updated (starts at 0)
               std::span<double> v,        // (n) second moment, updated (starts at 0)
               int64_t t, double lr, double beta1 = kAdamBeta1, double beta2 = kAdamBeta2, double eps = kAdamEps,
               double weight_decay = 0.0);

// AdamW: decoupled decay first, p -= lr wd p, then adam_step with weight_decay 0.
void adamw_step(std::span<double> p, std::span<const double> g, std::span<double> m, std::span<double> v,
                int64_t t, double lr, double weight_decay, double beta1 = kAdamBeta1, double beta2 = kAdamBeta2,
                double eps = kAdamEps);

// RMSprop, PyTorch form without momentum or centering:
//   g' = g + wd p;  v = alpha v + (1-alpha) g'^2;  p -= lr g' / (sqrt(v) + eps).
// alpha: PyTorch default 0.99, Keras 0.9. eps: PyTorch 1e-8, Keras 1e-7 (Keras also puts eps
// differently; this is the PyTorch placement).
void rmsprop_step(std::span<double> p,        // (n) updated
                  std::span<const double> g,  // (n)
                  std::span<double> v,        // (n) square average, updated (starts at 0)
                  double lr, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0.0);

// Adagrad, PyTorch's form with lr_decay 0:
//   g' = g + wd p;  v += g'^2;  p -= lr g' / (sqrt(v) + eps).
// v starts at the initial accumulator (PyTorch initial_accumulator_value, default 0; Keras 0.1).
void adagrad_step(std::span<double> p,        // (n) updated
                  std::span<const double> g,  // (n)
                  std::span<double> v,        // (n) sum of squares, updated
                  double lr, double eps = 1e-10, double weight_decay = 0.0);

// Keras kernel_regularizer L1/L2: penalty = l1 sum|w| + l2 sum w^2 over the elements where
// mask[i] != 0 (weights yes, biases no; an empty mask means every element).
double l1l2_penalty(std::span<const double> w,          // (n)
                    std::span<const uint8_t> mask,      // (n) or empty
                    double l1, double l2);
// g += l1 sign(w) + 2 l2 w on masked elements; sign(0) = 0.
void l1l2_penalty_grad(std::span<double> g,             // (n) accumulated
                       std::span<const double> w,       // (n)
                       std::span<const uint8_t> mask,   // (n) or empty
                       double l1, double l2);

// Global-norm clipping over every parameter's gradient together:
//   norm = sqrt(sum over all tensors of sum g^2); if norm > max_norm, every g *= max_norm / norm.
// Returns the norm before clipping.
double global_grad_norm(const std::vector<std::span<const double>>& grads);
double clip_grad_global_norm(const std::vector<std::span<double>>& grads, double max_norm);

}  // namespace vkt::ref
