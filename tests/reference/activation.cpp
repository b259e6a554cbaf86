#include "tests/reference/activation.hpp"

#include <cmath>
#include <numbers>

#include "tests/reference/common.hpp"

namespace vkt::ref {

using detail::check_optional_size;
using detail::check_size;

namespace {

template <class F>
void map_forward(std::span<double> y, std::span<const double> x, const char* op, F f) {
  check_size(y.size(), x.size(), op, "y");
  for (size_t i = 0; i < x.size(); ++i) y[i] = f(x[i]);
}

// dx += dy * f'(x)
template <class F>
void map_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x, const char* op, F df) {
  check_size(dx.size(), x.size(), op, "dx");
  check_size(dy.size(), x.size(), op, "dy");
  for (size_t i = 0; i < x.size(); ++i) dx[i] += dy[i] * df(x[i]);
}

double gelu_derivative(double x) {
  const double cdf = 0.5 * (1.0 + std::erf(x * std::numbers::sqrt2 / 2.0));
  const double pdf = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
  return cdf + x * pdf;
}

}  // namespace

double sigmoid(double x) {
  // Two branches so that exp never overflows: for x < 0 use e^x / (1 + e^x).
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x * std::numbers::sqrt2 / 2.0)); }

void relu_forward(std::span<double> y, std::span<const double> x) {
  map_forward(y, x, "relu_forward", [](double v) { return v > 0 ? v : 0.0; });
}
void relu_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x) {
  map_backward(dx, dy, x, "relu_backward", [](double v) { return v > 0 ? 1.0 : 0.0; });
}

void leaky_relu_forward(std::span<double> y, std::span<const double> x, double alpha) {
  map_forward(y, x, "leaky_relu_forward", [alpha](double v) { return v > 0 ? v : alpha * v; });
}
void leaky_relu_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x, double alpha) {
  map_backward(dx, dy, x, "leaky_relu_backward", [alpha](double v) { return v > 0 ? 1.0 : alpha; });
}

void sigmoid_forward(std::span<double> y, std::span<const double> x) { map_forward(y, x, "sigmoid_forward", sigmoid); }
void sigmoid_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x) {
  map_backward(dx, dy, x, "sigmoid_backward", [](double v) {
    const double s = sigmoid(v);
    return s * (1.0 - s);
  });
}

void tanh_forward(std::span<double> y, std::span<const double> x) {
  map_forward(y, x, "tanh_forward", [](double v) { return std::tanh(v); });
}
void tanh_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x) {
  map_backward(dx, dy, x, "tanh_backward", [](double v) {
    const double t = std::tanh(v);
    return 1.0 - t * t;
  });
}

void gelu_forward(std::span<double> y, std::span<const double> x) { map_forward(y, x, "gelu_forward", gelu); }
void gelu_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x) {
  map_backward(dx, dy, x, "gelu_backward", gelu_derivative);
}

}  // namespace vkt::ref
