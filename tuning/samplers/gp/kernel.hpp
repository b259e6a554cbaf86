#pragma once
// The GP's covariance function: Matern-5/2 (the default: smooth enough to model, rough enough
// not to over-trust a few points) or the squared exponential ("rbf"), with one length scale per
// input dimension (ARD) and a signal variance:
//   r^2 = sum_i (a_i - b_i)^2 / l_i^2
//   matern52: k = s (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r)      rbf: k = s exp(-r^2 / 2)
// Both are functions of r^2, so every gradient goes through dk/d(r^2), which for Matern-5/2,
// -5/6 s (1 + sqrt5 r) exp(-sqrt5 r), has no singularity at r = 0.
//
// Hyperparameters live in log space, as the fit optimizes them: theta = [log l_1 .. log l_d,
// log s, log noise]. The kernel reads the first d + 1; the noise variance is the GP's.
#include <cstddef>
#include <span>
#include <vector>

namespace vkt::tune::gp {

enum class KernelKind { Matern52, Rbf };

// Indices into theta for a d-dimensional input.
inline size_t signal_index(size_t dim) { return dim; }
inline size_t noise_index(size_t dim) { return dim + 1; }
inline size_t theta_size(size_t dim) { return dim + 2; }

class Kernel {
 public:
  // theta holds at least dim + 1 entries (see above).
  Kernel(KernelKind kind, std::span<const double> theta, size_t dim);

  KernelKind kind() const { return kind_; }
  size_t dim() const { return inverse_sq_lengthscales_.size(); }
  double signal_variance() const { return signal_variance_; }

  double operator()(std::span<const double> a, std::span<const double> b) const;

  // out[i] += scale * dk(a, b)/da_i.
  void add_gradient_x(std::span<const double> a, std::span<const double> b, double scale, std::span<double> out) const;

  // out[j] += scale * dk(a, b)/dtheta_j for j in [0, dim]: the log length scales, then log s.
  void add_gradient_theta(std::span<const double> a, std::span<const double> b, double scale,
                          std::span<double> out) const;

 private:
  double scaled_sq_distance(std::span<const double> a, std::span<const double> b) const;
  double value(double r2) const;  // k as a function of r^2
  double slope(double r2) const;  // dk/d(r^2)

  KernelKind kind_;
  std::vector<double> inverse_sq_lengthscales_;  // 1 / l_i^2
  double signal_variance_;
};

}  // namespace vkt::tune::gp
