#include "tuning/samplers/tpe/truncated_normal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace vkt::tune::tpe {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// log(exp(p) - exp(q)) for p >= q.
double log_diff(double p, double q) {
  if (q == -kInf) return p;
  return p + std::log1p(-std::exp(q - p));
}

}  // namespace

double log_normal_cdf(double z) {
  if (z > 6) return std::log1p(-normal_cdf(-z));
  if (z > -20) return std::log(normal_cdf(z));
  // Asymptotic expansion: Phi(z) = phi(z)/(-z) * (1 - 1/z^2 + 3/z^4 - 15/z^6 + ...); at
  // |z| >= 20 the terms shrink fast and the series is summed until it stops changing.
  const double inv_z2 = 1.0 / (z * z);
  double sum = 1.0, term = 1.0;
  for (int i = 1; i < 50; ++i) {
    term *= -double(2 * i - 1) * inv_z2;
    const double next = sum + term;
    if (next == sum) break;
    sum = next;
  }
  return -0.5 * z * z - std::log(-z) - 0.5 * std::log(2.0 * std::numbers::pi) + std::log(sum);
}

double log_gauss_mass(double a, double b) {
  if (!(a < b)) return -kInf;
  // The left tail is where log_normal_cdf is accurate, so the right tail is mirrored onto it;
  // an interval around 0 holds at least a fair share, and 1 - both tails is exact enough.
  if (b <= 0) return log_diff(log_normal_cdf(b), log_normal_cdf(a));
  if (a > 0) return log_diff(log_normal_cdf(-a), log_normal_cdf(-b));
  return std::log1p(-normal_cdf(a) - normal_cdf(-b));
}

double sample_truncated(Rng& rng, double mu, double sigma, double low, double high) {
  // 1000 rejections in a row has probability below 0.66^1000: the clamp is a formality.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const double x = mu + sigma * rng.normal();
    if (x >= low && x <= high) return x;
  }
  return std::clamp(mu, low, high);
}

}  // namespace vkt::tune::tpe
