#include <doctest/doctest.h>

#include <stdexcept>

#include <cmath>

#include "tests/reference/gradcheck.hpp"
#include "tests/reference/optim.hpp"

using namespace vkt::ref;
using doctest::Approx;

TEST_CASE("reference: SGD steps by hand (plain, weight decay, momentum, nesterov)") {
  std::vector<double> p{1.0, -2.0};
  const std::vector<double> g{0.5, 0.25};
  sgd_step(p, g, {}, 0.1);
  CHECK(p[0] == Approx(0.95));
  CHECK(p[1] == Approx(-2.025));

  p = {1.0};
  sgd_step(p, std::vector<double>{0.5}, {}, 0.1, 0.0, 0.2);  // g' = 0.5 + 0.2 = 0.7
  CHECK(p[0] == Approx(0.93));

  // momentum 0.9, constant gradient 1: v = 1, 1.9, 2.71; p = 1 - 0.1 (1 + 1.9 + 2.71)
  p = {1.0};
  std::vector<double> v{0.0};
  for (int i = 0; i < 3; ++i) sgd_step(p, std::vector<double>{1.0}, v, 0.1, 0.9);
  CHECK(v[0] == Approx(2.71));
  CHECK(p[0] == Approx(1.0 - 0.1 * 5.61));

  // nesterov: update = g + mu v: v = 1 -> u = 1.9; v = 1.9 -> u = 2.71
  p = {1.0};
  v = {0.0};
  for (int i = 0; i < 2; ++i) sgd_step(p, std::vector<double>{1.0}, v, 0.1, 0.9, 0.0, true);
  CHECK(p[0] == Approx(1.0 - 0.1 * (1.9 + 2.71)));
}

TEST_CASE("reference: Adam and AdamW steps by hand") {
  // First step: mhat = g, vhat = g^2, so p moves by lr * g / (|g| + eps) ~ lr * sign(g).
  std::vector<double> p{1.0, -1.0, 0.5}, m(3, 0.0), v(3, 0.0);
  const std::vector<double> g{0.3, -2.0, 1e-3};
  adam_step(p, g, m, v, 1, 0.01);
  CHECK(p[0] == Approx(1.0 - 0.01 * 0.3 / (0.3 + 1e-7)).epsilon(1e-14));
  CHECK(p[1] == Approx(-1.0 + 0.01 * 2.0 / (2.0 + 1e-7)).epsilon(1e-14));
  CHECK(p[2] == Approx(0.5 - 0.01 * 1e-3 / (1e-3 + 1e-7)).epsilon(1e-14));
  CHECK(m[0] == Approx(0.1 * 0.3));
  CHECK(v[0] == Approx(0.001 * 0.09));

  // Second step with a different gradient, by the formulas.
  const double g1 = 0.3, g2 = -0.1;
  const double m2 = 0.9 * (0.1 * g1) + 0.1 * g2, v2 = 0.999 * (0.001 * g1 * g1) + 0.001 * g2 * g2;
  const double mhat = m2 / (1 - 0.81), vhat = v2 / (1 - 0.999 * 0.999);
  const double p_before = p[0];
  adam_step(p, std::vector<double>{g2, 0, 0}, m, v, 2, 0.01);
  CHECK(p[0] == Approx(p_before - 0.01 * mhat / (std::sqrt(vhat) + 1e-7)).epsilon(1e-14));

  // eps is a parameter; L2 weight decay enters the moments.
  std::vector<double> q{2.0}, mq{0.0}, vq{0.0};
  adam_step(q, std::vector<double>{0.0}, mq, vq, 1, 0.1, 0.9, 0.999, 1e-8, 0.5);  // g' = 1
  CHECK(q[0] == Approx(2.0 - 0.1 / (1.0 + 1e-8)).epsilon(1e-14));
  CHECK(mq[0] == Approx(0.1));

  // AdamW: decay p first (2 -> 2 - 0.1*0.5*2 = 1.9), moments see only g.
  std::vector<double> w{2.0}, mw{0.0}, vw{0.0};
  adamw_step(w, std::vector<double>{0.4}, mw, vw, 1, 0.1, 0.5);
  CHECK(w[0] == Approx(1.9 - 0.1 * 0.4 / (0.4 + 1e-7)).epsilon(1e-14));
  CHECK(mw[0] == Approx(0.04));
  CHECK_THROWS_AS(adam_step(w, std::vector<double>{0.4}, mw, vw, 0, 0.1), std::invalid_argument);
}

TEST_CASE("reference: RMSprop steps by hand") {
  // alpha 0.9, g = 1: v = 0.1, p -= lr / (sqrt(0.1) + eps); then v = 0.19.
  std::vector<double> p{1.0}, v{0.0};
  rmsprop_step(p, std::vector<double>{1.0}, v, 0.01, 0.9, 1e-7);
  CHECK(v[0] == Approx(0.1));
  CHECK(p[0] == Approx(1.0 - 0.01 / (std::sqrt(0.1) + 1e-7)).epsilon(1e-14));
  rmsprop_step(p, std::vector<double>{1.0}, v, 0.01, 0.9, 1e-7);
  CHECK(v[0] == Approx(0.19));
  CHECK(p[0] == Approx(1.0 - 0.01 / (std::sqrt(0.1) + 1e-7) - 0.01 / (std::sqrt(0.19) + 1e-7)).epsilon(1e-14));
  // default alpha 0.99, with weight decay: g' = 0 + 0.1 * 1 = 0.1; v = 0.01 * 0.01
  p = {1.0};
  v = {0.0};
  rmsprop_step(p, std::vector<double>{0.0}, v, 0.01, 0.99, 1e-8, 0.1);
  CHECK(p[0] == Approx(1.0 - 0.01 * 0.1 / (0.01 + 1e-8)).epsilon(1e-14));
}

TEST_CASE("reference: Adagrad steps by hand") {
  // accumulator 0.1, g = 1: v = 1.1, p -= lr / (sqrt(1.1) + eps); then v = 2.1. The step size
  // only falls, whatever the gradient.
  std::vector<double> p{1.0}, v{0.1};
  adagrad_step(p, std::vector<double>{1.0}, v, 0.01, 1e-7);
  CHECK(v[0] == Approx(1.1));
  CHECK(p[0] == Approx(1.0 - 0.01 / (std::sqrt(1.1) + 1e-7)).epsilon(1e-14));
  adagrad_step(p, std::vector<double>{-2.0}, v, 0.01, 1e-7);
  CHECK(v[0] == Approx(5.1));
  CHECK(p[0] == Approx(1.0 - 0.01 / (std::sqrt(1.1) + 1e-7) + 0.02 / (std::sqrt(5.1) + 1e-7)).epsilon(1e-14));
  // PyTorch's defaults (accumulator 0, eps 1e-10), with weight decay: g' = 0 + 0.1 * 1 = 0.1,
  // v = 0.01, p -= 0.01 * 0.1 / (0.1 + 1e-10).
  p = {1.0};
  v = {0.0};
  adagrad_step(p, std::vector<double>{0.0}, v, 0.01, 1e-10, 0.1);
  CHECK(v[0] == Approx(0.01));
  CHECK(p[0] == Approx(1.0 - 0.01 * 0.1 / (0.1 + 1e-10)).epsilon(1e-14));
}

TEST_CASE("reference: L1/L2 penalty value and gradient, mask excludes biases") {
  const std::vector<double> w{1.0, -2.0, 0.0, 3.0};
  const std::vector<uint8_t> mask{1, 1, 1, 0};  // last element is a bias
  CHECK(l1l2_penalty(w, mask, 0.1, 0.01) == Approx(0.1 * 3 + 0.01 * 5));
  CHECK(l1l2_penalty(w, {}, 0.1, 0.0) == Approx(0.6));
  std::vector<double> g(4, 1.0);
  l1l2_penalty_grad(g, w, mask, 0.1, 0.01);
  CHECK(g[0] == Approx(1.0 + 0.1 + 0.02));
  CHECK(g[1] == Approx(1.0 - 0.1 - 0.04));
  CHECK(g[2] == 1.0);  // sign(0) = 0
  CHECK(g[3] == 1.0);  // masked out

  // Gradient vs finite differences away from w = 0 (where |w| is not differentiable).
  const auto x = random_away_from_zero(9, 3);
  const ScalarFn f = [](const std::vector<double>& v) { return l1l2_penalty(v, {}, 0.3, 0.7); };
  std::vector<double> ga(9, 0.0);
  l1l2_penalty_grad(ga, x, {}, 0.3, 0.7);
  const auto r = gradcheck(f, x, ga);
  INFO(r.message());
  CHECK(r.ok(1e-6));
}

TEST_CASE("reference: gradient clipping by global norm") {
  std::vector<double> a{3.0, 0.0}, b{4.0};  // norm 5 across both tensors
  CHECK(clip_grad_global_norm({a, b}, 10.0) == Approx(5.0));
  CHECK(a == std::vector<double>{3.0, 0.0});  // under the limit: untouched
  CHECK(clip_grad_global_norm({a, b}, 1.0) == Approx(5.0));
  CHECK(a[0] == Approx(0.6));
  CHECK(b[0] == Approx(0.8));
  CHECK(global_grad_norm({std::span<const double>(a), std::span<const double>(b)}) == Approx(1.0));
}
