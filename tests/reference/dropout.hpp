#pragma once
// Dropout with a counter-based RNG, in double. The GPU kernel must reproduce the keep/drop mask
// bit for bit, so the hash is specified exactly here (all arithmetic is uint32 with wraparound):
//
//   mix(x):  x ^= x >> 16;  x *= 0x7FEB352D;  x ^= x >> 15;  x *= 0x846CA68B;  x ^= x >> 16;
//   dropout_hash(seed, step, index):
//     h = seed ^ (step * 0x9E3779B9);
//     h = mix(h ^ (index * 0x85EBCA6B));
//     h = mix(h ^ step);
//
//   u = (h >> 8) * 2^-24          (24 random bits, exactly representable in fp32 and double)
//   keep(i) = u >= p
//   y = keep ? x / (1 - p) : 0        dx += keep ? dy / (1 - p) : 0
//
// `index` is the flat element index in the tensor (row-major), `step` the training step (so the
// mask changes every step), `seed` fixed per dropout layer.
//
// GPU note: do NOT compare u >= p in fp32. float(p) can round onto a 2^-24 grid point that the
// double p lies just below (p = 0.7 is one), flipping one bucket in 2^24. Instead pass the
// integer threshold dropout_threshold(p) = ceil(p * 2^24) (computed on the host in double) and
// test (h >> 8) >= threshold; this is exactly equivalent to the double comparison above because
// (h >> 8) * 2^-24 >= p  <=>  (h >> 8) >= p * 2^24  <=>  (h >> 8) >= ceil(p * 2^24).
// p must be in [0, 1]; p == 1 drops everything (y = 0, no division by zero).
#include <cstdint>
#include <span>

namespace vkt::ref {

uint32_t dropout_mix(uint32_t x);
uint32_t dropout_hash(uint32_t seed, uint32_t step, uint32_t index);
// ceil(p * 2^24), in [0, 2^24]; keep iff (dropout_hash(...) >> 8) >= dropout_threshold(p).
uint32_t dropout_threshold(double p);
bool dropout_keep(uint32_t seed, uint32_t step, uint32_t index, double p);

void dropout_forward(std::span<double> y,        // (n) overwritten
                     std::span<const double> x,  // (n)
                     double p, uint32_t seed, uint32_t step);
void dropout_backward(std::span<double> dx,        // (n) accumulated
                      std::span<const double> dy,  // (n)
                      double p, uint32_t seed, uint32_t step);

}  // namespace vkt::ref
