#include <doctest/doctest.h>

#include <array>
#include <stdexcept>

#include <cmath>

#include "tests/reference/activation.hpp"
#include "tests/reference/gradcheck.hpp"

using namespace vkt::ref;

namespace {
using Fwd = void (*)(std::span<double>, std::span<const double>);
using Bwd = void (*)(std::span<double>, std::span<const double>, std::span<const double>);

void check_activation(Fwd f, Bwd b, const std::vector<double>& x) {
  const ForwardFn fwd = [f](const Inputs& in) {
    std::vector<double> y(in[0].size());
    f(y, in[0]);
    return y;
  };
  const BackwardFn bwd = [b](const Inputs& in, const std::vector<double>& dy, Inputs& g) { b(g[0], dy, in[0]); };
  const auto res = check_forward_backward(fwd, bwd, {x});
  INFO(res[0].message());
  CHECK(res[0].ok(1e-6));
}
}  // namespace

TEST_CASE("reference: activations by hand") {
  const std::vector<double> x{-2.0, 0.0, 3.0};
  std::vector<double> y(3), dx(3, 0.0);
  relu_forward(y, x);
  CHECK(y == std::vector<double>{0, 0, 3});
  relu_backward(dx, std::vector<double>{1, 1, 1}, x);
  CHECK(dx == std::vector<double>{0, 0, 1});  // derivative 0 at x == 0

  leaky_relu_forward(y, x);
  CHECK(y[0] == doctest::Approx(-0.02));
  CHECK(y[2] == 3.0);
  dx.assign(3, 0.0);
  leaky_relu_backward(dx, std::vector<double>{1, 1, 1}, x, 0.2);
  CHECK(dx == std::vector<double>{0.2, 0.2, 1});  // alpha at x == 0

  CHECK(sigmoid(0.0) == 0.5);
  CHECK(sigmoid(-800.0) == 0.0);  // no overflow, no NaN
  CHECK(sigmoid(800.0) == 1.0);
  CHECK(sigmoid(2.0) == doctest::Approx(0.8807970779778823).epsilon(1e-15));
  CHECK(gelu(0.0) == 0.0);
  CHECK(gelu(1.0) == doctest::Approx(0.8413447460685429).epsilon(1e-15));    // Phi(1)
  CHECK(gelu(-1.0) == doctest::Approx(-0.15865525393145707).epsilon(1e-14));  // -Phi(-1)
  dx.assign(3, 0.0);
  gelu_backward(dx, std::vector<double>{1, 1, 1}, x);
  CHECK(dx[1] == 0.5);  // Phi(0) + 0
}

TEST_CASE("reference: activation backward matches finite differences") {
  // Values kept away from 0 so the relu kinks are never inside a finite-difference step.
  const auto away = random_away_from_zero(37, 1, 0.05, 3.0);
  check_activation(relu_forward, relu_backward, away);
  check_activation([](std::span<double> y, std::span<const double> x) { leaky_relu_forward(y, x); },
                   [](std::span<double> dx, std::span<const double> dy, std::span<const double> x) {
                     leaky_relu_backward(dx, dy, x);
                   },
                   away);
  check_activation([](std::span<double> y, std::span<const double> x) { leaky_relu_forward(y, x, 0.3); },
                   [](std::span<double> dx, std::span<const double> dy, std::span<const double> x) {
                     leaky_relu_backward(dx, dy, x, 0.3);
                   },
                   away);
  const auto wide = random_vector(37, 2, -6.0, 6.0);
  check_activation(sigmoid_forward, sigmoid_backward, wide);
  check_activation(tanh_forward, tanh_backward, wide);
  check_activation(gelu_forward, gelu_backward, wide);
}
