// Self-tests of the checker itself: a finite-difference checker that cannot fail proves nothing.
#include <doctest/doctest.h>

#include <array>
#include <stdexcept>

#include <cmath>
#include <set>

#include "tests/reference/gradcheck.hpp"

using namespace vkt::ref;

TEST_CASE("reference: random vectors are reproducible and in range") {
  const auto a = random_vector(1000, 7, -2.0, 3.0);
  const auto b = random_vector(1000, 7, -2.0, 3.0);
  const auto c = random_vector(1000, 8, -2.0, 3.0);
  CHECK(a == b);
  CHECK(a != c);
  for (double v : a) CHECK((v >= -2.0 && v < 3.0));

  const auto z = random_away_from_zero(1000, 3, 0.1, 1.0);
  int negatives = 0;
  for (double v : z) {
    CHECK(std::abs(v) >= 0.1);
    CHECK(std::abs(v) < 1.0);
    negatives += v < 0;
  }
  CHECK(negatives > 400);
  CHECK(negatives < 600);

  const auto d = random_distinct(500, 5, 0.01);
  std::set<long> seen;
  for (double v : d) seen.insert(std::lround(v / 0.01));
  CHECK(seen.size() == 500);  // all distinct, on a grid of spacing 0.01
}

TEST_CASE("reference: allclose, compare and max_abs_diff") {
  const std::vector<double> ref{1.0, -2.0, 100.0};
  const std::vector<double> near{1.0 + 1e-7, -2.0, 100.0 + 1e-4};
  CHECK(max_abs_diff(near, ref) == doctest::Approx(1e-4).epsilon(1e-6));
  CHECK(allclose(near, ref, 1e-6, 1e-6));       // 1e-4 <= 1e-6 + 1e-6 * 100
  CHECK_FALSE(allclose(near, ref, 1e-6, 1e-7));  // 1e-4 >  1e-6 + 1e-5
  const auto rep = compare(near, ref, 1e-6, 1e-7);
  CHECK(rep.failures == 1);
  CHECK(rep.worst_index == 2);

  const std::vector<float> f{1.0f, -2.0f, 100.0f};
  CHECK(allclose(f, ref, 0.0, 0.0));
  const std::vector<double> with_nan{1.0, NAN, 100.0};
  CHECK_FALSE(allclose(with_nan, ref, 1.0, 1.0));  // NaN never passes
  CHECK_THROWS_AS(max_abs_diff(std::vector<double>{1.0}, ref), std::invalid_argument);

  // fp32 dot-product bound: sqrt(K) * 2^-24 * sum|terms| * safety
  CHECK(fp32_dot_error_bound(100, 2.0, 1.0) == doctest::Approx(10.0 * 2.0 / 16777216.0));
  const std::vector<double> sum_abs{1.0, 1.0, 1000.0};
  const std::vector<float> gpu{1.0f, -2.0f, 100.001f};  // off by ~1e-3 where sum|terms| is large
  CHECK(compare_fp32_dot(gpu, ref, sum_abs, 4096).ok);  // bound there: 4*64*2^-24*1000 = 0.015
  CHECK_FALSE(compare_fp32_dot(gpu, ref, std::vector<double>{1, 1, 1}, 4096).ok);
}

TEST_CASE("reference: gradcheck accepts a right gradient and rejects a wrong one") {
  // f(x) = sum_i sin(x_i) * x_{i+1} + x_0^3
  const ScalarFn f = [](const std::vector<double>& x) {
    double s = x[0] * x[0] * x[0];
    for (size_t i = 0; i + 1 < x.size(); ++i) s += std::sin(x[i]) * x[i + 1];
    return s;
  };
  const auto x = random_vector(7, 11, -2.0, 2.0);
  std::vector<double> g(x.size(), 0.0);
  g[0] += 3 * x[0] * x[0];
  for (size_t i = 0; i + 1 < x.size(); ++i) {
    g[i] += std::cos(x[i]) * x[i + 1];
    g[i + 1] += std::sin(x[i]);
  }
  const auto good = gradcheck(f, x, g);
  INFO(good.message());
  CHECK(good.ok(1e-8));

  auto wrong = g;
  wrong[4] *= 1.001;  // a 0.1% error must be caught
  const auto bad = gradcheck(f, x, wrong);
  CHECK_FALSE(bad.ok(1e-6));
  CHECK(bad.worst_index == 4);

  // Large |x|: the step scales with |x| so the difference is not lost to rounding.
  const ScalarFn sq = [](const std::vector<double>& v) { return v[0] * v[0]; };
  const auto big = gradcheck(sq, {1e6}, std::vector<double>{2e6});
  CHECK(big.ok(1e-6));
}

TEST_CASE("reference: check_forward_backward catches a backward that overwrites") {
  // y = a * b elementwise; the correct backward adds, the broken one assigns.
  const ForwardFn fwd = [](const Inputs& in) {
    std::vector<double> y(in[0].size());
    for (size_t i = 0; i < y.size(); ++i) y[i] = in[0][i] * in[1][i];
    return y;
  };
  const BackwardFn adds = [](const Inputs& in, const std::vector<double>& dy, Inputs& g) {
    for (size_t i = 0; i < dy.size(); ++i) {
      g[0][i] += dy[i] * in[1][i];
      g[1][i] += dy[i] * in[0][i];
    }
  };
  const BackwardFn overwrites = [](const Inputs& in, const std::vector<double>& dy, Inputs& g) {
    for (size_t i = 0; i < dy.size(); ++i) {
      g[0][i] = dy[i] * in[1][i];
      g[1][i] += dy[i] * in[0][i];
    }
  };
  const Inputs in{random_vector(5, 1), random_vector(5, 2)};
  for (const auto& r : check_forward_backward(fwd, adds, in)) CHECK(r.ok(1e-8));
  const auto broken = check_forward_backward(fwd, overwrites, in);
  CHECK_FALSE(broken[0].ok(1e-3));
  CHECK(broken[1].ok(1e-8));
  // skipped inputs are not checked
  const auto skipped = check_forward_backward(fwd, overwrites, in, 1234, {0});
  CHECK(skipped[0].numeric.empty());
}
