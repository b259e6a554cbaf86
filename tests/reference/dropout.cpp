#include "tests/reference/dropout.hpp"

#include <cmath>
#include <stdexcept>

#include "tests/reference/common.hpp"

namespace vkt::ref {

uint32_t dropout_mix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

uint32_t dropout_hash(uint32_t seed, uint32_t step, uint32_t index) {
  uint32_t h = seed ^ (step * 0x9E3779B9u);
  h = dropout_mix(h ^ (index * 0x85EBCA6Bu));
  h = dropout_mix(h ^ step);
  return h;
}

namespace {
void check_p(double p, const char* op) {
  if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument(std::string(op) + ": p must be in [0, 1]");
}
}  // namespace

uint32_t dropout_threshold(double p) {
  check_p(p, "dropout_threshold");
  return static_cast<uint32_t>(std::ceil(p * 16777216.0));
}

bool dropout_keep(uint32_t seed, uint32_t step, uint32_t index, double p) {
  const uint32_t h = dropout_hash(seed, step, index);
  return static_cast<double>(h >> 8) * (1.0 / 16777216.0) >= p;
}

void dropout_forward(std::span<double> y, std::span<const double> x, double p, uint32_t seed, uint32_t step) {
  check_p(p, "dropout_forward");
  detail::check_size(y.size(), x.size(), "dropout_forward", "y");
  if (x.size() > 0xFFFFFFFFull) throw std::invalid_argument("dropout_forward: index does not fit in uint32");
  // keep is never true when p == 1 (u < 1), so the division by 1 - p never happens then.
  for (size_t i = 0; i < x.size(); ++i)
    y[i] = dropout_keep(seed, step, static_cast<uint32_t>(i), p) ? x[i] / (1.0 - p) : 0.0;
}

void dropout_backward(std::span<double> dx, std::span<const double> dy, double p, uint32_t seed, uint32_t step) {
  check_p(p, "dropout_backward");
  detail::check_size(dx.size(), dy.size(), "dropout_backward", "dx");
  if (dy.size() > 0xFFFFFFFFull) throw std::invalid_argument("dropout_backward: index does not fit in uint32");
  for (size_t i = 0; i < dy.size(); ++i)
    if (dropout_keep(seed, step, static_cast<uint32_t>(i), p)) dx[i] += dy[i] / (1.0 - p);
}

}  // namespace vkt::ref
