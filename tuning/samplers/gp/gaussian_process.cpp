#include "tuning/samplers/gp/gaussian_process.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <Eigen/Dense>

#include "util/error.hpp"

namespace vkt::tune::gp {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// k = K + noise I over the observed points.
void fill_covariance(const Kernel& kernel, const Points& x, double noise_variance, MatrixXd& k) {
  const auto n = Eigen::Index(x.size());
  k.resize(n, n);
  for (Eigen::Index a = 0; a < n; ++a) {
    for (Eigen::Index b = 0; b < a; ++b) k(a, b) = k(b, a) = kernel(x[size_t(a)], x[size_t(b)]);
    k(a, a) = kernel.signal_variance() + noise_variance;
  }
}

// k(x, x_a) for every observed point a.
VectorXd cross_covariance(const Kernel& kernel, const Points& x, std::span<const double> point) {
  VectorXd k(x.size());
  for (size_t a = 0; a < x.size(); ++a) k(a) = kernel(point, x[a]);
  return k;
}

Eigen::Map<const VectorXd> as_vector(const std::vector<double>& v) { return {v.data(), Eigen::Index(v.size())}; }

}  // namespace

struct GaussianProcess::Factor {
  Eigen::LLT<MatrixXd> llt;
  VectorXd alpha;
};

GaussianProcess::GaussianProcess(KernelKind kind, std::vector<double> theta, Observations observations)
    : theta_(std::move(theta)),
      kernel_(kind, theta_, observations.dim()),
      observations_(std::move(observations)),
      factor_(std::make_unique<Factor>()) {
  const double noise = std::exp(theta_[noise_index(observations_.dim())]);
  MatrixXd k;
  fill_covariance(kernel_, observations_.x, noise, k);
  factor_->llt.compute(k);
  if (factor_->llt.info() != Eigen::Success) throw Error("internal: GP covariance is not positive definite");
  factor_->alpha = factor_->llt.solve(as_vector(observations_.y));
}

GaussianProcess::GaussianProcess(GaussianProcess&&) noexcept = default;
GaussianProcess& GaussianProcess::operator=(GaussianProcess&&) noexcept = default;
GaussianProcess::~GaussianProcess() = default;

Posterior GaussianProcess::posterior(std::span<const double> x) const {
  const VectorXd k = cross_covariance(kernel_, observations_.x, x);
  const VectorXd v = factor_->llt.matrixL().solve(k);
  return {k.dot(factor_->alpha), std::max(0.0, kernel_.signal_variance() - v.squaredNorm())};
}

Posterior GaussianProcess::posterior(std::span<const double> x, std::span<double> dmean,
                                     std::span<double> dvariance) const {
  const Points& points = observations_.x;
  const VectorXd k = cross_covariance(kernel_, points, x);
  const VectorXd k_inv_k = factor_->llt.solve(k);
  const double variance = kernel_.signal_variance() - k.dot(k_inv_k);
  // mean = k^T alpha, variance = s - k^T K^-1 k: both move with x only through k.
  std::fill(dmean.begin(), dmean.end(), 0.0);
  std::fill(dvariance.begin(), dvariance.end(), 0.0);
  for (size_t a = 0; a < points.size(); ++a) {
    kernel_.add_gradient_x(x, points[a], factor_->alpha(Eigen::Index(a)), dmean);
    if (variance > 0) kernel_.add_gradient_x(x, points[a], -2.0 * k_inv_k(Eigen::Index(a)), dvariance);
  }
  return {k.dot(factor_->alpha), std::max(0.0, variance)};
}

std::vector<Posterior> GaussianProcess::posterior_batch(const Points& xs) const {
  const Points& points = observations_.x;
  MatrixXd k(points.size(), xs.size());
  for (size_t j = 0; j < xs.size(); ++j)
    for (size_t a = 0; a < points.size(); ++a) k(Eigen::Index(a), Eigen::Index(j)) = kernel_(xs[j], points[a]);
  const VectorXd means = k.transpose() * factor_->alpha;
  factor_->llt.matrixL().solveInPlace(k);
  const VectorXd explained = k.colwise().squaredNorm().transpose();
  std::vector<Posterior> out(xs.size());
  for (size_t j = 0; j < xs.size(); ++j)
    out[j] = {means(Eigen::Index(j)), std::max(0.0, kernel_.signal_variance() - explained(Eigen::Index(j)))};
  return out;
}

struct MarginalLikelihood::Workspace {
  MatrixXd k, k_inverse;
  Eigen::LLT<MatrixXd> llt;
  VectorXd alpha;
};

MarginalLikelihood::MarginalLikelihood(KernelKind kind, const Observations& observations)
    : kind_(kind), observations_(observations), workspace_(std::make_unique<Workspace>()) {}

MarginalLikelihood::~MarginalLikelihood() = default;

double MarginalLikelihood::operator()(std::span<const double> theta, std::span<double> gradient) {
  const size_t n = observations_.size(), dim = observations_.dim();
  const Points& x = observations_.x;
  Workspace& ws = *workspace_;
  std::fill(gradient.begin(), gradient.end(), 0.0);
  const Kernel kernel(kind_, theta, dim);
  const double noise = std::exp(theta[noise_index(dim)]);
  fill_covariance(kernel, x, noise, ws.k);
  ws.llt.compute(ws.k);
  if (ws.llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
  const auto y = as_vector(observations_.y);
  ws.alpha = ws.llt.solve(y);
  const double log_det = 2.0 * ws.llt.matrixLLT().diagonal().array().log().sum();
  const double lml = -0.5 * y.dot(ws.alpha) - 0.5 * log_det - 0.5 * double(n) * std::log(2.0 * std::numbers::pi);
  if (gradient.empty()) return lml;

  // d lml / d theta_j = 1/2 tr(W dK/dtheta_j) with W = alpha alpha^T - K^-1 (symmetric).
  ws.k_inverse.setIdentity(Eigen::Index(n), Eigen::Index(n));
  ws.llt.solveInPlace(ws.k_inverse);
  const auto w = [&](size_t a, size_t b) {
    return ws.alpha(Eigen::Index(a)) * ws.alpha(Eigen::Index(b)) - ws.k_inverse(Eigen::Index(a), Eigen::Index(b));
  };
  double trace_w = 0;
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < a; ++b) kernel.add_gradient_theta(x[a], x[b], w(a, b), gradient);  // twice, by symmetry
    kernel.add_gradient_theta(x[a], x[a], 0.5 * w(a, a), gradient);
    trace_w += w(a, a);
  }
  // The noise enters only the diagonal: dK/d(log noise) = noise I.
  gradient[noise_index(dim)] = 0.5 * noise * trace_w;
  return lml;
}

double log_marginal_likelihood(KernelKind kind, const Observations& observations, std::span<const double> theta,
                               std::span<double> gradient) {
  return MarginalLikelihood(kind, observations)(theta, gradient);
}

}  // namespace vkt::tune::gp
