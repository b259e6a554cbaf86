#pragma once
#include "nn/ops/device_span.hpp"

namespace vkt::nn {

// out[i] (I) = beta * out[i] + sum_{j<J} x[i*stride_i + j*stride_j]  (beta 0: overwrite)
void strided_sum(Stream& s, DeviceSpan out, DeviceSpan x, uint32_t I, uint32_t J, uint32_t stride_i,
                 uint32_t stride_j, float beta = 0.0f);

}  // namespace vkt::nn
