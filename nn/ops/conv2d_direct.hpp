#pragma once
// The direct route of a fused conv -> [ReLU] -> 2x2 max pool whose input has few channels (a
// model's first layer: the seed CNNs' conv1, 1 or 3 channels): shaders/conv2d_direct_pool.comp
// computes each pool window from its input patch, without im2col's column matrix or a GEMM.
// Backward-weight of a model's first layer (no dx) comes from dy and the pool's winners alone
// (shaders/conv2d_direct_pool_backward.comp); with dx, or where that kernel does not apply,
// backward builds im2col's column matrix itself and takes the usual products.
#include "nn/ops/conv2d.hpp"
#include "runtime/kernel_policy.hpp"

namespace vkt::nn {

// A fused pool, K % 4 == 0, and an input patch small enough to sit in registers
// (C·(SH + R)·(SW + S) floats).
bool conv2d_direct_shape_ok(const Conv2dShape& c);
// Where conv2d_direct_backward_weight's kernel can take the layer too (K·(CRS + 1) <= 512: the
// seed CNN's conv1, not cifar-cnn's; 8-lane subgroups with shuffle); KernelPolicy::direct
// (VKTRAIN_NO_DIRECT=1) says no. A default on CPU drivers, where it was measured faster (the
// README's performance section).
bool conv2d_direct_device_ok(const Conv2dShape& c, const KernelPolicy& p);

// The route's table entries (nn/ops/conv2d_routes.hpp): im2col's workspace with room for the
// backward kernel's partial sums; the forward below; the weight gradient from dy and the winners
// where the backward kernel applies and no dx is needed, else im2col's column matrix and products.
Conv2dWorkspaceSize direct_workspace_size(const Conv2dPlan& c);
void direct_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                    const Conv2dWorkspace& ws, bool relu);
void direct_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan x, const Conv2dPlan& c,
                            const Conv2dWorkspace& ws, bool dx_needed);

// y, argmax = pool(relu(conv(x, w) + b)), with conv2d_forward's layouts (c.x_channels_last,
// c.y_channels_last).
void conv2d_direct_forward(Stream& s, DeviceSpan y, DeviceSpan argmax, DeviceSpan x, DeviceSpan w, DeviceSpan b,
                           const Conv2dPlan& c, bool relu);

// Floats of partial sums conv2d_direct_backward_weight needs in `partials`: one slab of
// K·(CRS + 1) per 64 windows.
uint64_t conv2d_direct_partials(const Conv2dShape& c);

// dw and db of a first layer side by side, `both` (K, CRS + 1), each row the filter's weights
// then its bias, from the pooled dy and the winners forward left in `argmax`. Returns false
// where the kernel does not apply (it needs 8-lane subgroups with shuffle, K·(CRS + 1) a
// multiple of 4 and at most 512, and RGBA32F texel views of a channels-last dy); nothing is
// recorded then.
bool conv2d_direct_backward_weight(Stream& s, DeviceSpan both, DeviceSpan dy, DeviceSpan argmax, DeviceSpan x,
                                   DeviceSpan partials, const Conv2dPlan& c);

}  // namespace vkt::nn
