#include "tests/reference/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace vkt::ref {

namespace {

// splitmix64: tiny, well-mixed, and fully specified, so test data is identical everywhere.
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // uniform in [0, 1) with 53 random bits
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

void require_same_size(size_t a, size_t b, const char* what) {
  if (a != b) {
    std::ostringstream os;
    os << what << ": size mismatch " << a << " vs " << b;
    throw std::invalid_argument(os.str());
  }
}

template <class T>
CompareReport compare_impl(std::span<const T> a, std::span<const double> b, double atol, double rtol,
                           std::span<const double> extra_atol) {
  require_same_size(a.size(), b.size(), "compare");
  CompareReport r;
  double worst_ratio = -1;
  for (size_t i = 0; i < a.size(); ++i) {
    const double ai = static_cast<double>(a[i]);
    const double d = std::abs(ai - b[i]);
    const double tol = atol + rtol * std::abs(b[i]) + (extra_atol.empty() ? 0.0 : extra_atol[i]);
    // NaN in either side must fail: written so that a NaN comparison lands in the failure branch.
    const bool good = d <= tol;
    const double inf = std::numeric_limits<double>::infinity();
    const double ratio = std::isnan(d) ? inf : (tol > 0 ? d / tol : (d > 0 ? inf : 0.0));
    if (!good) ++r.failures;
    r.max_abs = std::max(r.max_abs, std::isnan(d) ? std::numeric_limits<double>::infinity() : d);
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      r.worst_index = i;
      r.worst_a = ai;
      r.worst_b = b[i];
    }
  }
  r.ok = r.failures == 0;
  return r;
}

}  // namespace

std::vector<double> random_vector(size_t n, uint64_t seed, double lo, double hi) {
  SplitMix64 rng{seed};
  std::vector<double> v(n);
  for (auto& x : v) x = lo + (hi - lo) * rng.uniform();
  return v;
}

std::vector<double> random_away_from_zero(size_t n, uint64_t seed, double lo, double hi) {
  SplitMix64 rng{seed ^ 0xA5A5A5A5DEADBEEFull};
  std::vector<double> v(n);
  for (auto& x : v) {
    const double mag = lo + (hi - lo) * rng.uniform();
    x = (rng.next() & 1) ? mag : -mag;
  }
  return v;
}

std::vector<double> random_distinct(size_t n, uint64_t seed, double spacing) {
  std::vector<size_t> perm(n);
  std::iota(perm.begin(), perm.end(), size_t{0});
  SplitMix64 rng{seed ^ 0x0123456789ABCDEFull};
  for (size_t i = n; i > 1; --i) std::swap(perm[i - 1], perm[rng.next() % i]);  // Fisher-Yates
  std::vector<double> v(n);
  const double centre = 0.5 * static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) v[i] = (static_cast<double>(perm[i]) - centre) * spacing;
  return v;
}

double max_abs_diff(std::span<const double> a, std::span<const double> b) {
  require_same_size(a.size(), b.size(), "max_abs_diff");
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::abs(a[i] - b[i]);
    if (std::isnan(d)) return d;
    m = std::max(m, d);
  }
  return m;
}

double max_abs_diff(std::span<const float> a, std::span<const double> b) {
  const auto ad = to_double(a);
  return max_abs_diff(std::span<const double>(ad), b);
}

bool allclose(std::span<const double> a, std::span<const double> b, double atol, double rtol) {
  return compare(a, b, atol, rtol).ok;
}
bool allclose(std::span<const float> a, std::span<const double> b, double atol, double rtol) {
  return compare(a, b, atol, rtol).ok;
}

CompareReport compare(std::span<const double> a, std::span<const double> b, double atol, double rtol) {
  return compare_impl<double>(a, b, atol, rtol, {});
}
CompareReport compare(std::span<const float> a, std::span<const double> b, double atol, double rtol) {
  return compare_impl<float>(a, b, atol, rtol, {});
}

std::string CompareReport::message() const {
  std::ostringstream os;
  os.precision(10);
  os << (ok ? "ok" : "MISMATCH") << ": " << failures << " element(s) outside tolerance, max |a-b| = " << max_abs
     << ", worst at [" << worst_index << "]: got " << worst_a << ", expected " << worst_b;
  return os.str();
}

double fp32_dot_error_bound(int64_t K, double sum_abs_terms, double safety) {
  return safety * std::sqrt(static_cast<double>(std::max<int64_t>(K, 1))) * std::ldexp(1.0, -24) * sum_abs_terms;
}

CompareReport compare_fp32_dot(std::span<const float> gpu, std::span<const double> ref,
                               std::span<const double> sum_abs, int64_t K, double atol, double safety) {
  require_same_size(ref.size(), sum_abs.size(), "compare_fp32_dot");
  std::vector<double> extra(sum_abs.size());
  for (size_t i = 0; i < extra.size(); ++i) extra[i] = fp32_dot_error_bound(K, sum_abs[i], safety);
  return compare_impl<float>(gpu, ref, atol, 0.0, extra);
}

std::vector<double> to_double(std::span<const float> v) { return std::vector<double>(v.begin(), v.end()); }

std::vector<double> numeric_gradient(const ScalarFn& f, const std::vector<double>& x, double rel_step) {
  std::vector<double> g(x.size());
  std::vector<double> xp = x;
  for (size_t i = 0; i < x.size(); ++i) {
    const double h = rel_step * std::max(1.0, std::abs(x[i]));
    const double plus = x[i] + h, minus = x[i] - h;
    xp[i] = plus;
    const double fp = f(xp);
    xp[i] = minus;
    const double fm = f(xp);
    xp[i] = x[i];
    g[i] = (fp - fm) / (plus - minus);  // the step that was really taken, after rounding
  }
  return g;
}

GradCheckResult gradcheck(const ScalarFn& f, const std::vector<double>& x, std::span<const double> analytic,
                          double rel_step) {
  require_same_size(x.size(), analytic.size(), "gradcheck");
  GradCheckResult r;
  r.numeric = numeric_gradient(f, x, rel_step);
  double scale = 0;
  for (size_t i = 0; i < x.size(); ++i) scale = std::max({scale, std::abs(analytic[i]), std::abs(r.numeric[i])});
  const double floor = std::max(1e-3 * scale, 1e-300);
  for (size_t i = 0; i < x.size(); ++i) {
    const double d = std::abs(analytic[i] - r.numeric[i]);
    const double rel = d / std::max({std::abs(analytic[i]), std::abs(r.numeric[i]), floor});
    // NaN must not hide: it counts as an infinite error.
    const double rel_or_inf = std::isnan(rel) ? std::numeric_limits<double>::infinity() : rel;
    r.max_abs_err = std::max(r.max_abs_err, std::isnan(d) ? std::numeric_limits<double>::infinity() : d);
    if (i == 0 || rel_or_inf > r.max_rel_err) {
      r.max_rel_err = rel_or_inf;
      r.worst_index = i;
      r.worst_analytic = analytic[i];
      r.worst_numeric = r.numeric[i];
    }
  }
  return r;
}

std::string GradCheckResult::message() const {
  std::ostringstream os;
  os.precision(12);
  os << "max abs err " << max_abs_err << ", max rel err " << max_rel_err << " at [" << worst_index
     << "]: analytic " << worst_analytic << ", numeric " << worst_numeric;
  return os.str();
}

std::vector<GradCheckResult> check_forward_backward(const ForwardFn& forward, const BackwardFn& backward,
                                                    const Inputs& inputs, uint64_t seed, std::vector<size_t> skip,
                                                    double rel_step) {
  const std::vector<double> y0 = forward(inputs);
  const std::vector<double> r = random_vector(y0.size(), seed);

  // Pre-fill the gradients with noise, run backward, subtract the noise: a backward that
  // overwrites instead of adding fails here.
  Inputs prefill(inputs.size()), grads(inputs.size());
  for (size_t k = 0; k < inputs.size(); ++k) {
    prefill[k] = random_vector(inputs[k].size(), seed + 1000 + k);
    grads[k] = prefill[k];
  }
  backward(inputs, r, grads);

  std::vector<GradCheckResult> results(inputs.size());
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (std::find(skip.begin(), skip.end(), k) != skip.end()) continue;
    require_same_size(grads[k].size(), inputs[k].size(), "check_forward_backward grads");
    std::vector<double> analytic(inputs[k].size());
    for (size_t i = 0; i < analytic.size(); ++i) analytic[i] = grads[k][i] - prefill[k][i];
    Inputs work = inputs;
    const ScalarFn f = [&](const std::vector<double>& xk) {
      work[k] = xk;
      const std::vector<double> y = forward(work);
      require_same_size(y.size(), r.size(), "check_forward_backward forward");
      // Neumaier-compensated sum: with a plain sum, perturbing one input changes the rounding of
      // every later partial sum, and that noise (~eps * |partial sums| * n) would swamp small
      // gradient entries after division by 2h.
      double s = 0, comp = 0;
      for (size_t i = 0; i < y.size(); ++i) {
        const double term = r[i] * y[i], t = s + term;
        comp += std::abs(s) >= std::abs(term) ? (s - t) + term : (term - t) + s;
        s = t;
      }
      return s + comp;
    };
    results[k] = gradcheck(f, inputs[k], analytic, rel_step);
  }
  return results;
}

}  // namespace vkt::ref
