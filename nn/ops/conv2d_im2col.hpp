#pragma once
// The im2col route (nn/ops/conv2d.hpp says how it computes each pass): a column matrix and the
// GEMMs around it. Applies to every shape on every device: the route the others are checked
// against, and the one a plan falls back to.
#include "nn/ops/conv2d.hpp"

namespace vkt::nn {

Conv2dWorkspaceSize im2col_workspace_size(const Conv2dPlan& c);
void im2col_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                    const Conv2dWorkspace& ws, bool relu);
// Without `dx_needed`, with a fused pool, CRS % 4 != 0 and the texel GEMM, the weight gradient
// reads dy and the pool's winners straight into its product (Gemm::pooled_a) and the bias
// gradient comes out of the same product, from im2col's column of ones: no pass writes dy', so
// backward_data must not follow.
void im2col_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan x, const Conv2dPlan& c,
                            const Conv2dWorkspace& ws, bool dx_needed);
void im2col_backward_data(Stream& s, DeviceSpan dx, DeviceSpan w, const Conv2dPlan& c, const Conv2dWorkspace& ws);

// col (rows, CRSp) = im2col(x): for a route whose forward builds no column matrix but whose
// backward needs one (the direct route).
void im2col(Stream& s, DeviceSpan x, const Conv2dPlan& c, const Conv2dWorkspace& ws);

// dw (K, CRS) and db (K) out of the two side by side, `both` (K, CRS + 1).
void split_weight_bias(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan both, const Conv2dShape& c);

// dx (N, C, H, W) = col2im of a channels-last column matrix dcol (rows, R·S·C) with c's
// geometry (no pool): backward-data's last step, shared with the Winograd routes. C % 4 == 0.
void col2im_channels_last(Stream& s, DeviceSpan dx, DeviceSpan dcol, const Conv2dPlan& c);

}  // namespace vkt::nn
