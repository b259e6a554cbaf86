#pragma once
// The Winograd F(3x3, 3x3) route of an unpooled 3x3, stride-1 convolution (nn/ops/conv2d.hpp,
// Conv2dRoute::WinogradF33; shaders/winograd_f33.glsl has the transforms): 3x3 output tiles
// from 5x5 input tiles, 25 multiplies per channel pair instead of 81. The seed CNN's conv3
// (5x5x64 -> 3x3x64) is one tile per image. Each pass is transforms around 25 batched GEMMs
// (tile position ξ), with T = N·(OH/3)·(OW/3) tiles:
//   forward          V = Bᵀ d B, U = G g Gᵀ;    M_ξ (T, K) = V_ξ (T, C) · U_ξ (C, K);
//                    y = Aᵀ M A + b [ReLU]
//   backward weight  dM = A dY Aᵀ;  dU_ξ (C, K) = V_ξᵀ · dM_ξ;  dw = Gᵀ dU G;  db = Σ_t dM_6
//   backward data    dV_ξ (T, C) = dM_ξ (T, K) · U_ξᵀ;  dd = B dV Bᵀ;  dx = col2im(dd)
// Chosen on CPU drivers where the output is whole tiles (measured faster there: the README's
// performance section); elsewhere a candidate that must win a measurement.
//
// Workspace (Conv2dWorkspace, sized by conv2d_workspace_size when c.winograd_f33):
//   v       V from forward to backward-weight; then dd
//   t       M, then dM (backward-weight leaves it for backward-data)
//   w_gemm  U (forward computes it; backward-data reads it too)
//   partials  dU
//   col     dV
#include "nn/ops/conv2d.hpp"
#include "runtime/kernel_policy.hpp"

namespace vkt::nn {

// 3x3, stride 1, no pool, C and K multiples of 4, and OH, OW multiples of 3 (whole tiles).
bool winograd_f33_shape_ok(const Conv2dShape& c);
// RGBA32F texel buffers large enough for the workspace; KernelPolicy::winograd_f33 and ::winograd
// (VKTRAIN_NO_WINOGRAD_F33=1, VKTRAIN_NO_WINOGRAD=1) say no.
bool winograd_f33_device_ok(const Conv2dShape& c, const KernelPolicy& p);

// conv2d_workspace_size() for c.winograd_f33.
Conv2dWorkspaceSize winograd_f33_workspace_size(const Conv2dShape& c);

void winograd_f33_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                          const Conv2dWorkspace& ws, bool relu);
void winograd_f33_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, const Conv2dPlan& c,
                                  const Conv2dWorkspace& ws);
void winograd_f33_backward_data(Stream& s, DeviceSpan dx, const Conv2dPlan& c, const Conv2dWorkspace& ws);

}  // namespace vkt::nn
