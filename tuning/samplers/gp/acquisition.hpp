#pragma once
// What a candidate point is worth, from the GP posterior there (larger is better; the sampler
// orients and standardizes values so that the GP models "larger is better" too):
//  - log_ei: log expected improvement over `best` (the largest observed y), made stable for
//    hopeless points by log_h.hpp, so that even far below the incumbent the gradient points
//    somewhere useful;
//  - ucb: mean + sqrt(beta) sigma, the upper confidence bound (beta as in Srinivas et al.
//    and BoTorch: it scales the variance).
// The variance is floored at kMinVariance so that sigma, and log EI, stay finite at an
// observed point.
#include <span>

#include "tuning/samplers/gp/gaussian_process.hpp"

namespace vkt::tune::gp {

enum class AcquisitionKind { LogEi, Ucb };

inline constexpr double kMinVariance = 1e-12;

struct Acquisition {
  AcquisitionKind kind = AcquisitionKind::LogEi;
  double best = 0;  // log_ei: the incumbent's standardized value
  double beta = 2;  // ucb

  // The value from a posterior mean and variance, and, when the pointers are given, its
  // partial derivatives w.r.t. them.
  double operator()(const Posterior& p, double* d_mean = nullptr, double* d_variance = nullptr) const;

  // The value at x and, if `gradient` is not empty, d/dx.
  double at(const GaussianProcess& gp, std::span<const double> x, std::span<double> gradient = {}) const;
};

}  // namespace vkt::tune::gp
