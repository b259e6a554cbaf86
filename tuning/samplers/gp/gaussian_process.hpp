#pragma once
// A Gaussian process conditioned on observations, with fixed hyperparameters theta (see
// kernel.hpp for the layout): the Cholesky factor of K + noise I and alpha = (K + noise I)^-1 y
// are computed once (Eigen::LLT), then every posterior costs one kernel row and one
// triangular solve. The posterior is that of the latent function (no noise added), which is
// what the acquisition scores. The prior mean is 0: the sampler standardizes y.
//
// The log marginal likelihood and its analytic gradient live here too, since they share the
// factorization: hyperparameter_fit.hpp maximizes them.
#include <memory>
#include <span>
#include <vector>

#include "tuning/samplers/gp/kernel.hpp"
#include "tuning/samplers/gp/points.hpp"

namespace vkt::tune::gp {

struct Posterior {
  double mean = 0;
  double variance = 0;  // clamped at 0 against round-off
};

class GaussianProcess {
 public:
  // Error if K + noise I is not positive definite (the noise floor of the fit prevents it).
  GaussianProcess(KernelKind kind, std::vector<double> theta, Observations observations);
  GaussianProcess(GaussianProcess&&) noexcept;
  GaussianProcess& operator=(GaussianProcess&&) noexcept;
  ~GaussianProcess();

  const Observations& observations() const { return observations_; }
  const std::vector<double>& theta() const { return theta_; }
  const Kernel& kernel() const { return kernel_; }

  Posterior posterior(std::span<const double> x) const;
  // Also the gradients w.r.t. x (dim entries each; zero for the variance where it is clamped).
  Posterior posterior(std::span<const double> x, std::span<double> dmean, std::span<double> dvariance) const;
  // Every point at once: one triangular solve for the whole batch (the candidate sweep).
  std::vector<Posterior> posterior_batch(const Points& xs) const;

 private:
  struct Factor;  // the Eigen objects, kept out of this header

  std::vector<double> theta_;
  Kernel kernel_;
  Observations observations_;
  std::unique_ptr<Factor> factor_;
};

// log p(y | x, theta) of a zero-mean GP; if `gradient` is not empty (theta_size(dim) entries)
// it receives d/dtheta. -infinity (gradient zero) if K + noise I is not positive definite.
// An object, for the optimizer's many calls on the same observations: it keeps its n x n
// buffers, which would otherwise be allocated (and their pages faulted in) on every call.
class MarginalLikelihood {
 public:
  MarginalLikelihood(KernelKind kind, const Observations& observations);  // keeps a reference
  ~MarginalLikelihood();

  double operator()(std::span<const double> theta, std::span<double> gradient = {});

 private:
  struct Workspace;

  KernelKind kind_;
  const Observations& observations_;
  std::unique_ptr<Workspace> workspace_;
};

// One evaluation of the above.
double log_marginal_likelihood(KernelKind kind, const Observations& observations, std::span<const double> theta,
                               std::span<double> gradient = {});

}  // namespace vkt::tune::gp
