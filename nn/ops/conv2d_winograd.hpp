#pragma once
// The Winograd route of a fused conv3x3 -> [ReLU] -> 2x2 max pool (nn/ops/conv2d.hpp,
// Conv2dRoute::Winograd): F(2x2, 3x3) tiles (shaders/winograd_f23.glsl) whose 2x2 outputs are
// the pool's windows. Each pass is transforms around 16 batched GEMMs (position ξ of the 4x4
// tile), with T = N·PH·PW tiles:
//   forward          V = Bᵀ d B, U = G g Gᵀ;    M_ξ (T, K) = V_ξ (T, C) · U_ξ (C, K);
//                    y, argmax = pool(Aᵀ M A + b)
//   backward weight  dM = A dY Aᵀ (dY: dy at the winner);  dU_ξ (C, K) = V_ξᵀ · dM_ξ;  dw = Gᵀ dU G
//   backward data    dV_ξ (T, C) = dM_ξ (T, K) · U_ξᵀ;  dd = B dV Bᵀ;  dx = col2im(dd)
// 16·C·K multiply-adds per tile instead of the direct route's 36·C·K; the GEMMs' sums are short
// (C or K deep) except backward-weight's. Chosen on CPU drivers, where it was measured faster
// (README performance table); on other devices it is a candidate that must win a measurement
// (nn/ops/conv2d_routes.hpp).
//
// Workspace (Conv2dWorkspace, sized by conv2d_workspace_size when c.winograd):
//   v       V from forward to backward-weight; then dd
//   t       M, then dM (backward-weight leaves it for backward-data)
//   w_gemm  U (forward computes it; backward-data reads it too)
//   partials  dU
//   col     dV
//   argmax  the pool's winners
#include <array>
#include <string>
#include <vector>

#include "nn/ops/conv2d.hpp"
#include "nn/ops/uniform_store.hpp"
#include "runtime/kernel.hpp"
#include "runtime/kernel_policy.hpp"

namespace vkt::nn {

// A 3x3, stride-1 convolution with a fused 2x2 pool, C and K multiples of 4 (vec4 transforms).
bool winograd_shape_ok(const Conv2dShape& c);
// The device has RGBA32F texel buffers large enough for the workspace, and
// KernelPolicy::winograd (VKTRAIN_NO_WINOGRAD=1) does not say no.
bool winograd_device_ok(const Conv2dShape& c, const KernelPolicy& p);

struct WinogradSizes {
  uint64_t v, m, u, du, dv, tiles;  // floats, and T
};
WinogradSizes winograd_sizes(const Conv2dShape& c);
// conv2d_workspace_size() for c.winograd.
Conv2dWorkspaceSize winograd_workspace_size(const Conv2dShape& c);

void winograd_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                      const Conv2dWorkspace& ws, bool relu);
void winograd_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, const Conv2dPlan& c,
                              const Conv2dWorkspace& ws);
void winograd_backward_data(Stream& s, DeviceSpan dx, const Conv2dPlan& c, const Conv2dWorkspace& ws);

// Shared with the F(3x3, 3x3) route (conv2d_winograd_f33.hpp):
// the push block of shaders/winograd_common.glsl,
struct WinogradPush {
  uint32_t N;
  UniformStoreTable table;  // uniform_store.glsl (the F(2x2, 3x3) transforms that store so)
};
// a transform kernel over a th x tw tile grid: winograd_common.glsl's geometry constants
// (3-10), the kernel's own `extra` (11-12), then the layouts (13-14: x, and y / dy / the
// winners when y_nhwc); one-dimensional workgroups of 64 unless `local_size` says otherwise,
const Kernel& winograd_transform_kernel(Context& ctx, const std::string& shader, const Conv2dPlan& c, uint32_t th,
                                        uint32_t tw, bool y_nhwc, std::vector<BindingKind> bindings,
                                        std::vector<uint32_t> extra = {},
                                        std::array<uint32_t, 3> local_size = {64, 1, 1});
// and the products of one pass (conv2d_winograd_f33.hpp): C_ξ =
// op(A_ξ) op(B_ξ) for each of `positions` tile positions ξ, each matrix packed, one after another.
void winograd_batched_gemm(Stream& s, uint32_t positions, uint32_t M, uint32_t N, uint32_t K, bool trans_a,
                           bool trans_b, DeviceSpan a, DeviceSpan b, DeviceSpan out);

}  // namespace vkt::nn
