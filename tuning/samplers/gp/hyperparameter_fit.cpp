#include "tuning/samplers/gp/hyperparameter_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tuning/samplers/gp/gaussian_process.hpp"
#include "tuning/samplers/gp/lbfgs.hpp"

namespace vkt::tune::gp {
namespace {

struct Prior {
  double mean, sd, low, high;  // in log space; low/high are the optimizer's bounds
};

const Prior kLengthscale{std::log(0.5), 1.5, std::log(1e-2), std::log(1e2)};
const Prior kSignal{0.0, 1.5, std::log(1e-2), std::log(1e2)};
const Prior kNoise{std::log(1e-2), 2.0, std::log(kMinNoiseVariance), std::log(10.0)};

const Prior& prior_of(size_t j, size_t dim) {
  if (j == signal_index(dim)) return kSignal;
  if (j == noise_index(dim)) return kNoise;
  return kLengthscale;
}

}  // namespace

double log_prior(std::span<const double> theta, std::span<double> gradient) {
  const size_t dim = theta.size() - 2;
  double total = 0;
  for (size_t j = 0; j < theta.size(); ++j) {
    const Prior& p = prior_of(j, dim);
    const double z = (theta[j] - p.mean) / p.sd;
    total -= 0.5 * z * z;
    if (!gradient.empty()) gradient[j] = -z / p.sd;
  }
  return total;
}

namespace {

double log_posterior(MarginalLikelihood& likelihood, std::span<const double> theta, std::span<double> gradient) {
  std::vector<double> prior_gradient(gradient.empty() ? 0 : gradient.size());
  const double value = likelihood(theta, gradient) + log_prior(theta, prior_gradient);
  for (size_t j = 0; j < prior_gradient.size(); ++j) gradient[j] += prior_gradient[j];
  return value;
}

}  // namespace

double log_posterior(KernelKind kind, const Observations& observations, std::span<const double> theta,
                     std::span<double> gradient) {
  MarginalLikelihood likelihood(kind, observations);
  return log_posterior(likelihood, theta, gradient);
}

std::vector<double> fit_hyperparameters(KernelKind kind, const Observations& observations, size_t restarts, Rng& rng) {
  const size_t dim = observations.dim(), n = theta_size(dim);
  std::vector<double> lower(n), upper(n), centre(n);
  for (size_t j = 0; j < n; ++j) {
    const Prior& p = prior_of(j, dim);
    lower[j] = p.low;
    upper[j] = p.high;
    centre[j] = p.mean;
  }
  MarginalLikelihood likelihood(kind, observations);
  const Objective objective = [&](std::span<const double> theta, std::span<double> gradient) {
    const double value = log_posterior(likelihood, theta, gradient);
    // Not positive definite (cannot happen above the noise floor): a finite cliff, so the line
    // search backs off instead of stopping.
    if (!std::isfinite(value)) {
      std::fill(gradient.begin(), gradient.end(), 0.0);
      return -1e300;
    }
    return value;
  };
  LbfgsResult best{centre, -std::numeric_limits<double>::infinity()};
  for (size_t r = 0; r < restarts; ++r) {
    std::vector<double> start = centre;
    if (r > 0)
      for (size_t j = 0; j < n; ++j) start[j] += prior_of(j, dim).sd * rng.normal();
    LbfgsResult scout = maximize_lbfgs(objective, std::move(start), lower, upper, {kScoutEvaluations, 1e-7});
    if (scout.value > best.value) best = std::move(scout);
  }
  // Never worse than its start: maximize_lbfgs returns the best point it evaluated.
  return maximize_lbfgs(objective, best.x, lower, upper, {kPolishEvaluations, 1e-7}).x;
}

}  // namespace vkt::tune::gp
