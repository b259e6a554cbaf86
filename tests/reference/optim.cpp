#include "tests/reference/optim.hpp"

#include <cmath>

#include "tests/reference/common.hpp"

namespace vkt::ref {

using detail::check_size;

void sgd_step(std::span<double> p, std::span<const double> g, std::span<double> v, double lr, double momentum,
              double weight_decay, bool nesterov) {
  check_size(g.size(), p.size(), "sgd_step", "g");
  if (momentum != 0.0) check_size(v.size(), p.size(), "sgd_step", "v");
  for (size_t i = 0; i < p.size(); ++i) {
    const double gd = g[i] + weight_decay * p[i];
    double update = gd;
    if (momentum != 0.0) {
      v[i] = momentum * v[i] + gd;
      update = nesterov ? gd + momentum * v[i] : v[i];
    }
    p[i] -= lr * update;
  }
}

namespace {
void adam_core(std::span<double> p, std::span<const double> g, std::span<double> m, std::span<double> v, int64_t t,
               double lr, double beta1, double beta2, double eps, double weight_decay, const char* op) {
  check_size(g.size(), p.size(), op, "g");
  check_size(m.size(), p.size(), op, "m");
  check_size(v.size(), p.size(), op, "v");
  if (t < 1) throw std::invalid_argument(std::string(op) + ": step t starts at 1");
  const double bc1 = 1.0 - std::pow(beta1, double(t));
  const double bc2 = 1.0 - std::pow(beta2, double(t));
  for (size_t i = 0; i < p.size(); ++i) {
    const double gd = g[i] + weight_decay * p[i];
    m[i] = beta1 * m[i] + (1.0 - beta1) * gd;
    v[i] = beta2 * v[i] + (1.0 - beta2) * gd * gd;
    const double mhat = m[i] / bc1, vhat = v[i] / bc2;
    p[i] -= lr * mhat / (std::sqrt(vhat) + eps);
  }
}
}  // namespace

void adam_step(std::span<double> p, std::span<const double> g, std::span<double> m, std::span<double> v, int64_t t,
               double lr, double beta1, double beta2, double eps, double weight_decay) {
  adam_core(p, g, m, v, t, lr, beta1, beta2, eps, weight_decay, "adam_step");
}

void adamw_step(std::span<double> p, std::span<const double> g, std::span<double> m, std::span<double> v, int64_t t,
                double lr, double weight_decay, double beta1, double beta2, double eps) {
  check_size(g.size(), p.size(), "adamw_step", "g");
  // Decay first, from the parameter value before this step's Adam update (PyTorch order).
  for (auto& x : p) x -= lr * weight_decay * x;
  adam_core(p, g, m, v, t, lr, beta1, beta2, eps, 0.0, "adamw_step");
}

void rmsprop_step(std::span<double> p, std::span<const double> g, std::span<double> v, double lr, double alpha,
                  double eps, double weight_decay) {
  check_size(g.size(), p.size(), "rmsprop_step", "g");
  check_size(v.size(), p.size(), "rmsprop_step", "v");
  for (size_t i = 0; i < p.size(); ++i) {
    const double gd = g[i] + weight_decay * p[i];
    v[i] = alpha * v[i] + (1.0 - alpha) * gd * gd;
    p[i] -= lr * gd / (std::sqrt(v[i]) + eps);
  }
}

void adagrad_step(std::span<double> p, std::span<const double> g, std::span<double> v, double lr, double eps,
                  double weight_decay) {
  check_size(g.size(), p.size(), "adagrad_step", "g");
  check_size(v.size(), p.size(), "adagrad_step", "v");
  for (size_t i = 0; i < p.size(); ++i) {
    const double gd = g[i] + weight_decay * p[i];
    v[i] += gd * gd;
    p[i] -= lr * gd / (std::sqrt(v[i]) + eps);
  }
}

double l1l2_penalty(std::span<const double> w, std::span<const uint8_t> mask, double l1, double l2) {
  detail::check_optional_size(mask.size(), w.size(), "l1l2_penalty", "mask");
  double s1 = 0, s2 = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (!mask.empty() && !mask[i]) continue;
    s1 += std::abs(w[i]);
    s2 += w[i] * w[i];
  }
  return l1 * s1 + l2 * s2;
}

void l1l2_penalty_grad(std::span<double> g, std::span<const double> w, std::span<const uint8_t> mask, double l1,
                       double l2) {
  check_size(g.size(), w.size(), "l1l2_penalty_grad", "g");
  detail::check_optional_size(mask.size(), w.size(), "l1l2_penalty_grad", "mask");
  for (size_t i = 0; i < w.size(); ++i) {
    if (!mask.empty() && !mask[i]) continue;
    const double sign = w[i] > 0 ? 1.0 : (w[i] < 0 ? -1.0 : 0.0);
    g[i] += l1 * sign + 2.0 * l2 * w[i];
  }
}

double global_grad_norm(const std::vector<std::span<const double>>& grads) {
  double s = 0;
  for (const auto& g : grads)
    for (double x : g) s += x * x;
  return std::sqrt(s);
}

double clip_grad_global_norm(const std::vector<std::span<double>>& grads, double max_norm) {
  std::vector<std::span<const double>> view(grads.begin(), grads.end());
  const double norm = global_grad_norm(view);
  if (norm > max_norm) {
    const double scale = max_norm / norm;
    for (const auto& g : grads)
      for (double& x : g) x *= scale;
  }
  return norm;
}

}  // namespace vkt::ref
