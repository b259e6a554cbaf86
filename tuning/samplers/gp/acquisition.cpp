#include "tuning/samplers/gp/acquisition.hpp"

#include <cmath>
#include <vector>

#include "tuning/samplers/gp/log_h.hpp"

namespace vkt::tune::gp {

double Acquisition::operator()(const Posterior& p, double* d_mean, double* d_variance) const {
  const bool floored = p.variance < kMinVariance;
  const double variance = floored ? kMinVariance : p.variance;
  const double sigma = std::sqrt(variance);
  double value, dmean, dsigma;
  if (kind == AcquisitionKind::Ucb) {
    const double root_beta = std::sqrt(beta);
    value = p.mean + root_beta * sigma;
    dmean = 1.0;
    dsigma = root_beta;
  } else {
    // log EI = log h(z) + log sigma, z = (mean - best) / sigma.
    const double z = (p.mean - best) / sigma;
    const double slope = log_h_slope(z);
    value = log_h(z) + std::log(sigma);
    dmean = slope / sigma;
    dsigma = (1.0 - slope * z) / sigma;
  }
  if (d_mean) *d_mean = dmean;
  if (d_variance) *d_variance = floored ? 0.0 : dsigma / (2.0 * sigma);
  return value;
}

double Acquisition::at(const GaussianProcess& gp, std::span<const double> x, std::span<double> gradient) const {
  if (gradient.empty()) return (*this)(gp.posterior(x));
  std::vector<double> dmean(x.size()), dvariance(x.size());
  double a_mean = 0, a_variance = 0;
  const double value = (*this)(gp.posterior(x, dmean, dvariance), &a_mean, &a_variance);
  for (size_t i = 0; i < x.size(); ++i) gradient[i] = a_mean * dmean[i] + a_variance * dvariance[i];
  return value;
}

}  // namespace vkt::tune::gp
