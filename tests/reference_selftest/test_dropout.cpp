#include <doctest/doctest.h>

#include <stdexcept>

#include <cmath>

#include "tests/reference/dropout.hpp"
#include "tests/reference/gradcheck.hpp"

using namespace vkt::ref;

TEST_CASE("reference: dropout hash golden values") {
  // Computed independently (Python, explicit & 0xFFFFFFFF after every multiply) from the spec in
  // dropout.hpp. A GPU kernel can check itself against these same numbers.
  CHECK(dropout_hash(0, 0, 0) == 0x00000000u);
  CHECK(dropout_hash(1, 0, 0) == 0x58f54975u);
  CHECK(dropout_hash(0, 1, 0) == 0xa07c7a97u);
  CHECK(dropout_hash(0, 0, 1) == 0xa11e2aeau);
  CHECK(dropout_hash(42, 7, 12345) == 0x179271f9u);
  CHECK(dropout_hash(0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu) == 0x3a34a991u);
}

TEST_CASE("reference: dropout keep fraction, reproducibility, and step dependence") {
  const size_t n = 100000;
  for (double p : {0.1, 0.5, 0.8}) {
    CAPTURE(p);
    size_t kept = 0;
    for (uint32_t i = 0; i < n; ++i) kept += dropout_keep(1234, 5, i, p);
    CHECK(std::abs(double(kept) / n - (1.0 - p)) < 0.01);
  }
  const auto x = random_vector(n, 3, 0.5, 1.5);  // never 0, so y == 0 means dropped
  std::vector<double> a(n), b(n), c(n), d(n);
  dropout_forward(a, x, 0.3, 77, 10);
  dropout_forward(b, x, 0.3, 77, 10);
  dropout_forward(c, x, 0.3, 77, 11);  // next step
  dropout_forward(d, x, 0.3, 78, 10);  // other seed
  CHECK(a == b);
  size_t differ_step = 0, differ_seed = 0;
  for (size_t i = 0; i < n; ++i) {
    differ_step += (a[i] == 0) != (c[i] == 0);
    differ_seed += (a[i] == 0) != (d[i] == 0);
    if (a[i] != 0) CHECK(a[i] == x[i] / 0.7);
  }
  // Independent masks disagree on 2 p (1 - p) = 42% of elements.
  CHECK(std::abs(double(differ_step) / n - 0.42) < 0.01);
  CHECK(std::abs(double(differ_seed) / n - 0.42) < 0.01);
}

TEST_CASE("reference: dropout edge probabilities and the integer threshold") {
  const auto x = random_vector(1000, 1, 0.5, 1.5);
  std::vector<double> y(1000);
  dropout_forward(y, x, 0.0, 1, 1);
  CHECK(y == x);  // p = 0 keeps everything, scale 1
  dropout_forward(y, x, 1.0, 1, 1);
  for (double v : y) CHECK(v == 0.0);  // p = 1 drops everything, no inf/NaN
  CHECK_THROWS_AS(dropout_forward(y, x, 1.5, 1, 1), std::invalid_argument);

  // The integer threshold GPU kernels should use agrees with the double comparison, including
  // at p = 0.7 where float(p) lands on a 2^-24 grid point and a float compare would differ.
  CHECK(dropout_threshold(0.0) == 0u);
  CHECK(dropout_threshold(1.0) == 16777216u);
  CHECK(dropout_threshold(0.5) == 8388608u);
  CHECK(dropout_threshold(0.7) == 11744052u);
  for (double p : {0.1, 0.25, 0.7, 0.9, 0.123456789})
    for (uint32_t i = 0; i < 20000; ++i) {
      const uint32_t h = dropout_hash(9, 3, i);
      CHECK(((h >> 8) >= dropout_threshold(p)) == dropout_keep(9, 3, i, p));
    }
  // Exhaustive at the boundary bucket for p = 0.7: bucket 11744051 is dropped, 11744052 kept.
  CHECK(11744051.0 / 16777216.0 < 0.7);
  CHECK(11744052.0 / 16777216.0 >= 0.7);
}

TEST_CASE("reference: dropout backward matches finite differences and accumulates") {
  const ForwardFn fwd = [](const Inputs& in) {
    std::vector<double> y(in[0].size());
    dropout_forward(y, in[0], 0.4, 5, 2);
    return y;
  };
  const BackwardFn bwd = [](const Inputs&, const std::vector<double>& dy, Inputs& g) {
    dropout_backward(g[0], dy, 0.4, 5, 2);
  };
  const auto res = check_forward_backward(fwd, bwd, {random_vector(37, 4)});
  INFO(res[0].message());
  CHECK(res[0].ok(1e-6));
}
