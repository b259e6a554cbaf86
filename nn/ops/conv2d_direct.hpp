#pragma once
// The direct route of a fused conv -> [ReLU] -> 2x2 max pool whose input has few channels (a
// model's first layer: the seed CNNs' conv1, 1 or 3 channels): shaders/conv2d_direct_pool.comp
// computes each pool window from its input patch, without im2col's column matrix or a GEMM.
// Only the forward pass: backward-weight builds the column matrix itself then
// (conv2d_backward_weight) and takes the usual product.
#include "nn/ops/conv2d.hpp"

namespace vkt::nn {

// A fused pool, K % 4 == 0, not Winograd, and an input patch small enough to sit in registers
// (C·(SH + R)·(SW + S) floats).
bool conv2d_direct_shape_ok(const Conv2dShape& c);
// conv2d_direct_shape_ok on a CPU driver (where it was measured faster: the README's
// performance section); VKTRAIN_NO_DIRECT=1 says no (A/B runs).
bool conv2d_direct_preferred(const Context& ctx, const Conv2dShape& c);

// y, argmax = pool(relu(conv(x, w) + b)), with conv2d_forward's layouts (c.x_channels_last,
// c.y_channels_last).
void conv2d_direct_forward(Stream& s, DeviceSpan y, DeviceSpan argmax, DeviceSpan x, DeviceSpan w, DeviceSpan b,
                           const Conv2dShape& c, bool relu);

}  // namespace vkt::nn
