#pragma once
// Finite-difference gradient checking and small comparison utilities for the reference library.
//
// Two uses:
//  1. Self-tests of this library: every *_backward is checked against central differences of
//     the matching *_forward, all in double.
//  2. GPU kernel tests: compare fp32 GPU output with the double reference using allclose() /
//     compare() and the fp32 tolerance guidance below.
//
// Suggested fp32 tolerances (why): a GPU kernel that sums K products in fp32 accumulates a
// rounding error that behaves like a random walk: about sqrt(K) * 2^-24 * sum_k |term_k| (the
// worst case is K * 2^-24 * sum|term|, but real errors sit near the sqrt(K) estimate). So a
// plain rtol is wrong for outputs that are the small difference of large terms (cancellation):
// compare each element with an absolute bound derived from sum|terms| instead, via
// fp32_dot_error_bound(). Sum|terms| for a linear op is obtained cheaply by running the same
// reference forward on |x| and |w| (e.g. conv2d_forward on abs(x), abs(w), abs(b)).
// Rules of thumb when you don't want per-element bounds:
//   - elementwise ops (relu, add, dropout scale):        atol 1e-6,  rtol 1e-6 (1-2 ulp)
//   - transcendental activations (sigmoid, tanh, gelu):  atol 1e-6,  rtol 1e-5 (fast exp/erf)
//   - dot products / conv / gemm with K terms: prefer compare_fp32_dot(). As a flat rule for
//     inputs ~U(-1,1): sum|terms| ~ K/4, so atol ~ 4*sqrt(K)*2^-24*K/4 = K^1.5 * 2^-24
//     (K = 1000 -> 2e-3, on outputs of typical size sqrt(K)/3 ~ 10), rtol 0.
//   - reductions over M elements (batch-norm stats, mean): same as a K = M dot product
//   - losses (logsumexp) and optimizer steps:            rtol 1e-5 relative to the value, plus
//     atol 1e-6 * lr for parameter updates.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace vkt::ref {

// ---- random data (reproducible across compilers: no std:: distributions) -------------------

// n values uniform in [lo, hi), from a splitmix64 stream seeded with `seed`.
std::vector<double> random_vector(size_t n, uint64_t seed, double lo = -1.0, double hi = 1.0);

// n values uniform in lo <= |v| < hi with random sign: keeps relu/leaky-relu inputs away from
// the kink at 0 so that central differences with h ~ 1e-6 never straddle it.
std::vector<double> random_away_from_zero(size_t n, uint64_t seed, double lo = 0.05, double hi = 1.0);

// n distinct values, pairwise at least `spacing` apart, in random order, centred on 0: max-pool
// inputs with no ties (and no near-ties that a finite-difference step could flip).
std::vector<double> random_distinct(size_t n, uint64_t seed, double spacing = 0.01);

// ---- comparisons ---------------------------------------------------------------------------

// max_i |a_i - b_i|; throws std::invalid_argument if sizes differ.
double max_abs_diff(std::span<const double> a, std::span<const double> b);
double max_abs_diff(std::span<const float> a, std::span<const double> b);

// numpy-style: |a_i - b_i| <= atol + rtol * |b_i| for every i (b is the reference). NaN fails.
bool allclose(std::span<const double> a, std::span<const double> b, double atol, double rtol);
bool allclose(std::span<const float> a, std::span<const double> b, double atol, double rtol);

// What allclose decided, with the worst element, for a useful test failure message.
struct CompareReport {
  bool ok = true;
  size_t worst_index = 0;    // the element with the largest |a-b| / (atol + rtol*|b|)
  double worst_a = 0, worst_b = 0;
  double max_abs = 0;        // max |a-b|
  size_t failures = 0;       // number of elements outside tolerance
  std::string message() const;
};
CompareReport compare(std::span<const double> a, std::span<const double> b, double atol, double rtol);
CompareReport compare(std::span<const float> a, std::span<const double> b, double atol, double rtol);

// Expected fp32 error of a K-term dot product whose terms have absolute sum `sum_abs_terms`:
// safety * sqrt(K) * 2^-24 * sum_abs_terms (see the header comment for why).
double fp32_dot_error_bound(int64_t K, double sum_abs_terms, double safety = 4.0);

// Elementwise version: passes iff |gpu_i - ref_i| <= atol + fp32_dot_error_bound(K, sum_abs_i).
// `sum_abs` (same size as ref) is the reference forward evaluated on absolute values.
CompareReport compare_fp32_dot(std::span<const float> gpu, std::span<const double> ref,
                               std::span<const double> sum_abs, int64_t K, double atol = 1e-7,
                               double safety = 4.0);

std::vector<double> to_double(std::span<const float> v);

// ---- finite differences --------------------------------------------------------------------

using ScalarFn = std::function<double(const std::vector<double>&)>;

struct GradCheckResult {
  double max_abs_err = 0;  // max_i |analytic_i - numeric_i|
  // max_i |a_i - n_i| / max(|a_i|, |n_i|, floor), floor = 1e-3 * max_j max(|a_j|, |n_j|): an
  // element 1000x smaller than the largest gradient entry is judged against that scale, because
  // its finite difference is dominated by rounding in f, not by the gradient itself.
  double max_rel_err = 0;
  size_t worst_index = 0;  // the element giving max_rel_err
  double worst_analytic = 0, worst_numeric = 0;
  std::vector<double> numeric;  // the full finite-difference gradient
  bool ok(double rtol) const { return max_rel_err <= rtol; }
  std::string message() const;
};

// Central differences: g_i = (f(x + h e_i) - f(x - h e_i)) / (2h), h = rel_step * max(1, |x_i|).
// The denominator uses the actually representable step ((x+h) - (x-h)), not 2h.
// Accuracy to expect at h = 1e-6: truncation error ~h^2 f''' is negligible; the limit is rounding
// in f, ~eps * |f| / h plus the rounding of the op's own sums. On the self-test sizes a correct
// backward shows max_rel_err between 1e-9 and ~4e-7, a wrong one (even a 1e-5 relative slip)
// fails rtol 1e-6. For large ops or large |f|, pass rel_step 1e-5 (noise 10x lower, truncation
// still ~1e-10) rather than loosening rtol. When every gradient entry is tiny in absolute terms
// (e.g. batch norm with two values per channel: dx exists only through eps) the relative error is
// meaningless; compare max_abs_err instead.
std::vector<double> numeric_gradient(const ScalarFn& f, const std::vector<double>& x, double rel_step = 1e-6);

// numeric_gradient compared with `analytic` (same size as x).
GradCheckResult gradcheck(const ScalarFn& f, const std::vector<double>& x, std::span<const double> analytic,
                          double rel_step = 1e-6);

// Checking a forward/backward pair with several inputs (e.g. conv2d: x, w, b).
//   forward(inputs) -> y
//   backward(inputs, dy, grads): must ADD d(sum dy*y)/d(inputs[k]) into grads[k] (sized like inputs)
// The op becomes the scalar loss L = sum_i r_i y_i with r a fixed random vector (seed), so dy = r.
// The grads handed to backward are pre-filled with random values that are subtracted afterwards:
// this also verifies the "backward adds, never overwrites" contract.
// Inputs listed in `skip` (e.g. integer-like or non-differentiable ones) are not checked.
// Returns one result per input (empty result for skipped ones).
using Inputs = std::vector<std::vector<double>>;
using ForwardFn = std::function<std::vector<double>(const Inputs&)>;
using BackwardFn = std::function<void(const Inputs&, const std::vector<double>& dy, Inputs& grads)>;
std::vector<GradCheckResult> check_forward_backward(const ForwardFn& forward, const BackwardFn& backward,
                                                    const Inputs& inputs, uint64_t seed = 1234,
                                                    std::vector<size_t> skip = {}, double rel_step = 1e-6);

}  // namespace vkt::ref
