#include "tuning/samplers/gp/kernel.hpp"

#include <cmath>

namespace vkt::tune::gp {
namespace {

const double kSqrt5 = std::sqrt(5.0);

}  // namespace

Kernel::Kernel(KernelKind kind, std::span<const double> theta, size_t dim)
    : kind_(kind), inverse_sq_lengthscales_(dim), signal_variance_(std::exp(theta[signal_index(dim)])) {
  for (size_t i = 0; i < dim; ++i) inverse_sq_lengthscales_[i] = std::exp(-2.0 * theta[i]);
}

double Kernel::scaled_sq_distance(std::span<const double> a, std::span<const double> b) const {
  double r2 = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = a[i] - b[i];
    r2 += d * d * inverse_sq_lengthscales_[i];
  }
  return r2;
}

double Kernel::value(double r2) const {
  if (kind_ == KernelKind::Rbf) return signal_variance_ * std::exp(-0.5 * r2);
  const double r = std::sqrt(r2);
  return signal_variance_ * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * std::exp(-kSqrt5 * r);
}

double Kernel::slope(double r2) const {
  if (kind_ == KernelKind::Rbf) return -0.5 * signal_variance_ * std::exp(-0.5 * r2);
  const double r = std::sqrt(r2);
  return -5.0 / 6.0 * signal_variance_ * (1.0 + kSqrt5 * r) * std::exp(-kSqrt5 * r);
}

double Kernel::operator()(std::span<const double> a, std::span<const double> b) const {
  return value(scaled_sq_distance(a, b));
}

void Kernel::add_gradient_x(std::span<const double> a, std::span<const double> b, double scale,
                            std::span<double> out) const {
  // d(r^2)/da_i = 2 (a_i - b_i) / l_i^2
  const double s = 2.0 * scale * slope(scaled_sq_distance(a, b));
  for (size_t i = 0; i < a.size(); ++i) out[i] += s * (a[i] - b[i]) * inverse_sq_lengthscales_[i];
}

void Kernel::add_gradient_theta(std::span<const double> a, std::span<const double> b, double scale,
                                std::span<double> out) const {
  const double r2 = scaled_sq_distance(a, b);
  // d(r^2)/d(log l_i) = -2 (a_i - b_i)^2 / l_i^2;  dk/d(log s) = k.
  const double s = -2.0 * scale * slope(r2);
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = a[i] - b[i];
    out[i] += s * d * d * inverse_sq_lengthscales_[i];
  }
  out[dim()] += scale * value(r2);
}

}  // namespace vkt::tune::gp
