#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "tests/reference/gradcheck.hpp"
#include "tests/reference/loss.hpp"

using namespace vkt::ref;

TEST_CASE("reference: softmax cross-entropy on a tiny case by hand") {
  // Row 0: logits (0, 0), label 1 -> log 2. Row 1: logits (ln 3, 0), label 0 -> log(4/3).
  const std::vector<double> z{0, 0, std::log(3.0), 0};
  const std::vector<int32_t> labels{1, 0};
  const double loss = softmax_cross_entropy_forward(z, labels, 2, 2);
  CHECK(loss == doctest::Approx((std::log(2.0) + std::log(4.0 / 3.0)) / 2).epsilon(1e-15));
  std::vector<double> d(4, 0.0);
  softmax_cross_entropy_backward(d, z, labels, 2, 2);
  // (softmax - onehot) / N: row 0 (0.5, -0.5)/2, row 1 (0.75 - 1, 0.25)/2
  CHECK(d[0] == doctest::Approx(0.25));
  CHECK(d[1] == doctest::Approx(-0.25));
  CHECK(d[2] == doctest::Approx(-0.125));
  CHECK(d[3] == doctest::Approx(0.125));

  std::vector<double> p(4);
  softmax_forward(p, z, 2, 2);
  CHECK(p[2] == doctest::Approx(0.75).epsilon(1e-15));

  // Stable for huge logits: shifting every logit by 1000 changes nothing.
  const std::vector<double> big{1000, 1000, 1000 + std::log(3.0), 1000};
  CHECK(softmax_cross_entropy_forward(big, labels, 2, 2) == doctest::Approx(loss).epsilon(1e-12));
  CHECK(std::isfinite(softmax_cross_entropy_forward(std::vector<double>{-1e4, 1e4}, std::vector<int32_t>{0}, 1, 2)));
  CHECK_THROWS_AS(softmax_cross_entropy_forward(z, std::vector<int32_t>{2, 0}, 2, 2), std::invalid_argument);
}

TEST_CASE("reference: softmax cross-entropy and MSE backward match finite differences") {
  for (const auto& shape : {std::pair{1, 1}, std::pair{1, 3}, std::pair{7, 5}, std::pair{3, 7}}) {
    const int N = shape.first, K = shape.second;
    CAPTURE(N);
    CAPTURE(K);
    std::vector<int32_t> labels(N);
    for (int n = 0; n < N; ++n) labels[n] = (n * 3 + 1) % K;
    const auto z = random_vector(size_t(N) * K, 10, -4, 4);
    const ScalarFn f = [&](const std::vector<double>& v) { return softmax_cross_entropy_forward(v, labels, N, K); };
    std::vector<double> g(z.size(), 0.0);
    softmax_cross_entropy_backward(g, z, labels, N, K);
    const auto r = gradcheck(f, z, g);
    INFO(r.message());
    if (K == 1) CHECK(r.max_abs_err < 1e-12);  // loss is identically 0, gradient 0
    else CHECK(r.ok(1e-6));

    const auto t = random_vector(z.size(), 11);
    const ScalarFn fm = [&](const std::vector<double>& v) { return mse_forward(v, t); };
    std::vector<double> gm(z.size(), 0.0);
    mse_backward(gm, z, t);
    const auto rm = gradcheck(fm, z, gm);
    INFO(rm.message());
    CHECK(rm.ok(1e-6));
  }
  // dloss scales the gradient and backward adds.
  const std::vector<double> z{1, 2, 3};
  std::vector<double> g(3, 1.0);
  softmax_cross_entropy_backward(g, z, std::vector<int32_t>{2}, 1, 3, 2.0);
  std::vector<double> p(3);
  softmax_forward(p, z, 1, 3);
  CHECK(g[0] == doctest::Approx(1.0 + 2.0 * p[0]));
  CHECK(g[2] == doctest::Approx(1.0 + 2.0 * (p[2] - 1.0)));
}

TEST_CASE("reference: MSE and accuracy by hand") {
  CHECK(mse_forward(std::vector<double>{1, 2, 3, 4}, std::vector<double>{1, 0, 3, 5}) == doctest::Approx(5.0 / 4));
  std::vector<double> d(2, 0.0);
  mse_backward(d, std::vector<double>{1, 2}, std::vector<double>{0, 4});
  CHECK(d == std::vector<double>{1.0, -2.0});  // 2 (p - t) / 2

  // Rows: argmax 2 (label 2, right), tie between 0 and 1 -> 0 (label 1, wrong), argmax 1
  // (label 1, right), all equal -> 0 (label 0, right).
  const std::vector<double> z{0, 1, 5, 3, 3, 1, -1, 0, -2, 7, 7, 7};
  CHECK(accuracy_count(z, std::vector<int32_t>{2, 1, 1, 0}, 4, 3) == 3);
  CHECK(accuracy_count(z, std::vector<int32_t>{0, 0, 0, 1}, 4, 3) == 1);
}
