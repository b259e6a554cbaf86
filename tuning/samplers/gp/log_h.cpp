#include "tuning/samplers/gp/log_h.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace vkt::tune::gp {
namespace {

const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);
const double kHalfLogPiOver2 = 0.5 * std::log(0.5 * std::numbers::pi);
const double kInvSqrtEps = 1.0 / std::sqrt(std::numeric_limits<double>::epsilon());

// Beyond this erfc(x) nears the subnormal range; the asymptotic series is exact to round-off.
constexpr double kErfcxSeriesFrom = 26.0;

double normal_pdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// log Phi(z), finite for every finite z.
double log_normal_cdf(double z) {
  if (z > -1) return std::log(normal_cdf(z));
  return std::log(0.5 * erfcx(-z / std::numbers::sqrt2)) - 0.5 * z * z;
}

}  // namespace

double erfcx(double x) {
  if (x < kErfcxSeriesFrom) return std::exp(x * x) * std::erfc(x);
  // erfcx(x) = 1/(x sqrt(pi)) sum_k (-1)^k (2k-1)!! / (2x^2)^k; at x >= 26 the terms fall by
  // more than 100x each, so a handful reach round-off.
  const double inv_2x2 = 1.0 / (2.0 * x * x);
  double term = 1.0, sum = 1.0;
  for (int k = 1; k <= 10 && std::abs(term) > 1e-17; ++k) {
    term *= -double(2 * k - 1) * inv_2x2;
    sum += term;
  }
  return sum / (x * std::sqrt(std::numbers::pi));
}

double log1mexp(double a) { return a > -std::numbers::ln2 ? std::log(-std::expm1(a)) : std::log1p(-std::exp(a)); }

double log_h(double z) {
  if (z > -1) return std::log(normal_pdf(z) + z * normal_cdf(z));
  if (z > -kInvSqrtEps)
    return -0.5 * z * z - kHalfLog2Pi +
           log1mexp(std::log(erfcx(-z / std::numbers::sqrt2) * std::abs(z)) + kHalfLogPiOver2);
  return -0.5 * z * z - kHalfLog2Pi - 2.0 * std::log(std::abs(z));
}

double log_h_slope(double z) {
  if (z > -1) return normal_cdf(z) / (normal_pdf(z) + z * normal_cdf(z));
  return std::exp(log_normal_cdf(z) - log_h(z));
}

}  // namespace vkt::tune::gp
