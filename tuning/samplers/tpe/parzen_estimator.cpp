#include "tuning/samplers/tpe/parzen_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include <Eigen/Dense>

#include "tuning/samplers/tpe/observations.hpp"
#include "tuning/samplers/tpe/truncated_normal.hpp"
#include "util/error.hpp"

namespace vkt::tune::tpe {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<double> mixture_weights(size_t n, double prior_weight) {
  std::vector<double> w = default_weights(n);
  w.push_back(prior_weight);
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& x : w) x /= total;
  return w;
}

// Each kernel's sigma: the larger gap to its sorted neighbours, the bounds counting as
// neighbours (but not for the outermost kernels unless consider_endpoints).
std::vector<double> neighbour_sigmas(const std::vector<double>& mus, const Dimension& d, bool consider_endpoints) {
  std::vector<size_t> order(mus.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return mus[a] < mus[b]; });
  std::vector<double> sorted{d.low};
  for (size_t i : order) sorted.push_back(mus[i]);
  sorted.push_back(d.high);
  const size_t m = mus.size();
  std::vector<double> by_rank(m);
  for (size_t r = 0; r < m; ++r) by_rank[r] = std::max(sorted[r + 1] - sorted[r], sorted[r + 2] - sorted[r + 1]);
  if (!consider_endpoints && m >= 2) {
    by_rank[0] = sorted[2] - sorted[1];
    by_rank[m - 1] = sorted[m] - sorted[m - 1];
  }
  std::vector<double> sigmas(m);
  for (size_t r = 0; r < m; ++r) sigmas[order[r]] = by_rank[r];
  return sigmas;
}

size_t pick(const std::vector<double>& probabilities, double u) {
  double cumulative = 0;
  for (size_t k = 0; k < probabilities.size(); ++k) {
    cumulative += probabilities[k];
    if (u < cumulative) return k;
  }
  return probabilities.size() - 1;  // u within round-off of 1
}

// The cell a discrete coordinate stands for.
std::pair<double, double> cell(const Dimension& d, double x) {
  if (d.kind == Dimension::Kind::Stepped) return {x - 0.5 * d.step, x + 0.5 * d.step};
  const double v = std::round(std::exp(x));
  return {std::log(v - 0.5), std::log(v + 0.5)};
}

}  // namespace

ParzenEstimator::ParzenEstimator(std::vector<Dimension> dimensions, const std::vector<Point>& observations,
                                 const ParzenOptions& options)
    : dims_(std::move(dimensions)) {
  if (!(options.prior_weight > 0) || !std::isfinite(options.prior_weight))
    throw Error("internal: Parzen prior weight must be positive");
  const size_t n = observations.size();
  weights_ = mixture_weights(n, options.prior_weight);
  const double scott = 0.2 * std::pow(double(std::max<size_t>(n, 1)), -1.0 / (double(dims_.size()) + 4.0));

  kernels_.resize(dims_.size());
  for (size_t j = 0; j < dims_.size(); ++j) {
    const Dimension& d = dims_[j];
    Kernels& k = kernels_[j];
    if (!d.numeric()) {
      const double smoothing = options.prior_weight / double(n + 1);
      k.probabilities.assign(n + 1, std::vector<double>(d.choices, smoothing));
      for (size_t i = 0; i < n; ++i) k.probabilities[i][size_t(observations[i].at(j))] += 1.0;
      for (auto& row : k.probabilities) {
        const double total = std::accumulate(row.begin(), row.end(), 0.0);
        for (double& p : row) p /= total;
      }
      continue;
    }
    const double range = d.high - d.low;
    for (const Point& o : observations) k.mus.push_back(o.at(j));
    k.mus.push_back(0.5 * (d.low + d.high));
    k.sigmas = options.multivariate ? std::vector<double>(n + 1, scott * range)
                                    : neighbour_sigmas(k.mus, d, options.consider_endpoints);
    const double min_sigma = range / std::min(100.0, double(k.mus.size()) + 1.0);
    for (double& s : k.sigmas) s = std::clamp(s, min_sigma, range);
    k.sigmas.back() = range;
  }
}

std::vector<Point> ParzenEstimator::sample(Rng& rng, size_t count) const {
  std::vector<Point> out(count, Point(dims_.size()));
  for (Point& x : out) {
    const size_t c = pick(weights_, rng.uniform());
    for (size_t j = 0; j < dims_.size(); ++j) {
      const Kernels& k = kernels_[j];
      x[j] = dims_[j].numeric() ? sample_truncated(rng, k.mus[c], k.sigmas[c], dims_[j].low, dims_[j].high)
                                : double(pick(k.probabilities[c], rng.uniform()));
    }
  }
  return out;
}

std::vector<double> ParzenEstimator::log_pdf(const std::vector<Point>& points) const {
  return log_mixture(points, false);
}

std::vector<double> ParzenEstimator::log_acquisition_pdf(const std::vector<Point>& points) const {
  return log_mixture(points, true);
}

// bandwidth_weighted: a continuous kernel's log density gains log sigma (its 1/sigma is left out).
std::vector<double> ParzenEstimator::log_mixture(const std::vector<Point>& points, bool bandwidth_weighted) const {
  const auto n = Eigen::Index(points.size());
  const auto m = Eigen::Index(components());
  // total(i, c) = log of component c's density at point i, summed over dimensions.
  Eigen::ArrayXXd total = Eigen::ArrayXXd::Zero(n, m);
  for (size_t j = 0; j < dims_.size(); ++j) {
    const Dimension& d = dims_[j];
    const Kernels& k = kernels_[j];
    Eigen::ArrayXd x(n);
    for (Eigen::Index i = 0; i < n; ++i) x[i] = points[size_t(i)].at(j);
    if (d.numeric()) {
      const Eigen::Map<const Eigen::ArrayXd> mu(k.mus.data(), m), sigma(k.sigmas.data(), m);
      Eigen::ArrayXd log_accept(m);  // log P(low <= X <= high) of each component's untruncated kernel
      for (Eigen::Index c = 0; c < m; ++c)
        log_accept[c] = log_gauss_mass((d.low - mu[c]) / sigma[c], (d.high - mu[c]) / sigma[c]);
      if (d.kind == Dimension::Kind::Continuous) {
        Eigen::ArrayXd log_norm = 0.5 * std::log(2 * std::numbers::pi) + log_accept;
        if (!bandwidth_weighted) log_norm += sigma.log();
        const Eigen::ArrayXXd z = (x.replicate(1, m).rowwise() - mu.transpose()).rowwise() / sigma.transpose();
        Eigen::ArrayXXd lp = (-0.5 * z.square()).rowwise() - log_norm.transpose();
        for (Eigen::Index i = 0; i < n; ++i)
          if (x[i] < d.low || x[i] > d.high) lp.row(i).setConstant(-kInf);
        total += lp;
      } else {
        for (Eigen::Index i = 0; i < n; ++i) {
          auto [lo, hi] = cell(d, x[i]);
          lo = std::max(lo, d.low);
          hi = std::min(hi, d.high);
          for (Eigen::Index c = 0; c < m; ++c)
            total(i, c) += log_gauss_mass((lo - mu[c]) / sigma[c], (hi - mu[c]) / sigma[c]) - log_accept[c];
        }
      }
    } else {
      for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index c = 0; c < m; ++c) total(i, c) += std::log(k.probabilities[size_t(c)].at(size_t(x[i])));
    }
  }
  const Eigen::Map<const Eigen::ArrayXd> w(weights_.data(), m);
  total.rowwise() += w.log().transpose();
  // log-sum-exp over components, row by row.
  std::vector<double> out(points.size());
  for (Eigen::Index i = 0; i < n; ++i) {
    const double top = total.row(i).maxCoeff();
    out[size_t(i)] = top == -kInf ? -kInf : top + std::log((total.row(i) - top).exp().sum());
  }
  return out;
}

}  // namespace vkt::tune::tpe
