#pragma once
// Elementwise activations, any shape (flat spans of n floats). Semantics exactly as
// tests/reference/activation.hpp; GELU is the exact erf-based one (|error| <= ~1e-7, see
// shaders/activation.glsl). One shader per direction, the function picked by a
// specialization constant; one vec4 per invocation when every span offset is 16-byte aligned.
#include <string>

#include "nn/ops/device_span.hpp"

namespace vkt::nn {

enum class Activation : uint32_t { ReLU = 0, LeakyReLU = 1, Sigmoid = 2, Tanh = 3, GELU = 4 };

// "relu", "leaky_relu", "sigmoid", "tanh", "gelu"; parse throws InputError for other names.
const char* activation_name(Activation a);
Activation parse_activation(const std::string& name);

// y (n) = f(x (n)). alpha is LeakyReLU's negative slope (ignored by the others). y may be x
// itself (the same span): each element is read before it is written by the same invocation.
void activation_forward(Stream& s, Activation a, DeviceSpan y, DeviceSpan x, uint64_t n, float alpha = 0.01f);

// dx (n) = dy (n) * f'(x (n)), x the forward INPUT. Written, not accumulated. dx may be dy.
void activation_backward(Stream& s, Activation a, DeviceSpan dx, DeviceSpan dy, DeviceSpan x, uint64_t n,
                         float alpha = 0.01f);

}  // namespace vkt::nn
