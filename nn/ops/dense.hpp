#pragma once
// Dense (fully connected) layer, PyTorch nn.Linear layout: W (OUT, IN), b (OUT).
#include "nn/ops/device_span.hpp"

namespace vkt::nn {

struct DenseShape {
  uint32_t N = 1, IN = 1, OUT = 1;  // batch, input features, output features
};

// y (N, OUT) = x (N, IN) · Wᵀ + b, then ReLU if `relu` (a fused activation).
void dense_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan W, DeviceSpan b, const DenseShape& d,
                   bool relu = false);

// dx (N, IN) = dy · W            (skipped when dx is empty: the first layer needs no dx)
// dW (OUT, IN) = dyᵀ · x          written, not accumulated
// db (OUT) = Σ_n dy[n, :]         written; skipped when db is empty
void dense_backward(Stream& s, DeviceSpan dx, DeviceSpan dW, DeviceSpan db, DeviceSpan dy, DeviceSpan x,
                    DeviceSpan W, const DenseShape& d);

}  // namespace vkt::nn
