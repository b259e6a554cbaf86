#pragma once
// Elementwise activations, in double. Any shape: every buffer below is a
// flat (n) array with the same n (x, y, dx, dy, a, b, da, db), sizes are checked.
// Backward functions take the forward INPUT x (not y) and ADD dy * f'(x) into dx.
#include <span>

namespace vkt::ref {

// relu: y = max(x, 0); f'(x) = 1 for x > 0, 0 for x <= 0 (so the derivative at 0 is 0).
void relu_forward(std::span<double> y, std::span<const double> x);                               // (n), (n)
void relu_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x);  // (n) each

// leaky relu: y = x for x > 0, alpha*x for x <= 0; f'(x) = 1 or alpha (alpha at x == 0).
void leaky_relu_forward(std::span<double> y, std::span<const double> x, double alpha = 0.01);
void leaky_relu_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x,
                         double alpha = 0.01);

// sigmoid: y = 1 / (1 + e^-x), evaluated without overflow for large |x|; f' = y (1 - y).
void sigmoid_forward(std::span<double> y, std::span<const double> x);
void sigmoid_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x);

// tanh: f' = 1 - tanh(x)^2.
void tanh_forward(std::span<double> y, std::span<const double> x);
void tanh_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x);

// exact GELU: y = 0.5 x (1 + erf(x / sqrt 2)) = x Phi(x); f' = Phi(x) + x phi(x),
// phi(x) = exp(-x^2/2) / sqrt(2 pi). (Not the tanh approximation.)
void gelu_forward(std::span<double> y, std::span<const double> x);
void gelu_backward(std::span<double> dx, std::span<const double> dy, std::span<const double> x);

// Scalar forms, for kernel tests that want one value.
double sigmoid(double x);
double gelu(double x);

}  // namespace vkt::ref
