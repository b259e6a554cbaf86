#pragma once
// Dropout with a counter-based mask (tests/reference/dropout.hpp, reproduced bit for bit): the
// keep/drop decision for element i is a hash of (seed, step, i), so nothing is stored between
// forward and backward, and the mask changes every step without re-recording because `step`
// is read from the step block (nn/ops/step_block.hpp), not baked into the recording.
#include "nn/ops/device_span.hpp"

namespace vkt::nn {

struct DropoutParams {
  double p = 0.5;     // drop probability, in [0, 1]; 1 drops everything
  uint32_t seed = 0;  // fixed per dropout layer
};

// y (n) = keep(i) ? x / (1 - p) : 0, keep(i) = (hash(seed, step, i) >> 8) >= ceil(p * 2^24),
// step = step_block.step. `step_block` is the StepBlock buffer (MemoryUse::Shared). y may be x.
void dropout_forward(Stream& s, DeviceSpan y, DeviceSpan x, uint64_t n, const DropoutParams& d, DeviceSpan step_block);

// dx (n) = keep(i) ? dy / (1 - p) : 0, the same mask as the forward of the same step (the
// index i and the step block must be the same). Written, not accumulated. dx may be dy.
void dropout_backward(Stream& s, DeviceSpan dx, DeviceSpan dy, uint64_t n, const DropoutParams& d,
                      DeviceSpan step_block);

// ceil(p * 2^24): the integer threshold the shader compares (h >> 8) against. Computed in
// double, because comparing in fp32 would round p onto the 2^-24 grid (p = 0.7 flips a bucket).
uint32_t dropout_threshold(double p);

}  // namespace vkt::nn
