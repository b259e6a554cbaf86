#pragma once
// 2-D convolution (cross-correlation), NCHW, PyTorch layout: x (N, C, H, W), w (K, C, R, S),
// b (K), zero padding, stride, no dilation.
//
// Computed as GEMMs over a column matrix col (P, CRSp): one row per output pixel
// p = (n, oh, ow), P = N·OH·OW, one column per (c, r, s), zero-padded to CRSp (a multiple of
// 4, so the fast GEMM reads whole vec4s):
//   forward          y (K, P)     = w (K, CRSp) · colᵀ            stored blocked, i.e. NCHW
//   backward weight  dw (K, CRS)  = dy' (K, P) · col (P, CRSp)     dy' = dy as (K, N·OH·OW)
//   backward data    dcol (P, CRSp) = dy'ᵀ · w                     then dx = col2im(dcol)
// When C % 4 == 0 backward-data reads the weights reordered to (K, R, S, C), so that dcol's
// columns are (r, s, c) with the channels innermost: col2im then gathers 4 channels per texel
// fetch instead of one (cnn.conv2 at b64, in-step profile: 2.5-2.6 -> 2.1-2.2 ms; conv3 0.7 -> 0.45;
// what remains is mostly the stores, one per dx element).
// This is the im2col route (nn/ops/conv2d_im2col.hpp): it materializes col. Three routes avoid
// it: Winograd F(2x2, 3x3) for a 3x3, stride-1 layer with a fused pool
// (nn/ops/conv2d_winograd.hpp), Winograd F(3x3, 3x3) for one without a pool whose output is
// whole 3x3 tiles (nn/ops/conv2d_winograd_f33.hpp), and the direct kernels for a pooled first
// layer with few input channels (nn/ops/conv2d_direct.hpp). nn/ops/conv2d_routes.hpp lists
// them; nn/plan/conv2d_plan.hpp picks one per layer and device (Conv2dPlan::route).
//
// With `pool` = 2 the op is conv -> [ReLU] -> 2x2, stride-2 max pool in one: col's rows are
// grouped by pool window (shaders/conv2d_common.glsl), so each window's 4 outputs are one vec4
// of the forward GEMM's accumulators: the texel GEMM reduces them in its epilogue to the pooled
// y and the winner (ws.argmax); another GEMM kernel writes them, (K, windows, 4), to ws.t and
// one pass pools them. Backward turns the pooled gradient straight into the channel-major,
// window-grouped dy' the GEMMs read. What this saves on a CPU driver, where every memory pass
// costs: the un-pooled activation is never stored NCHW, read by a separate pool, scattered
// back, masked by a separate ReLU pass and transposed; and output pixels no window covers (the
// last row and column of an odd-sized output) are never computed.
#include <string>

#include "nn/ops/device_span.hpp"
#include "nn/ops/workspace_arena.hpp"

namespace vkt::nn {

// The geometry of one convolution, and nothing about how it is computed.
struct Conv2dShape {
  uint32_t N = 1, C = 1, H = 1, W = 1;  // input (N, C, H, W)
  uint32_t K = 1, R = 1, S = 1;         // weights (K, C, R, S)
  uint32_t sh = 1, sw = 1, ph = 0, pw = 0;
  uint32_t pool = 0;  // 2: a fused 2x2, stride-2 max pool follows (see above); 0: none

  uint32_t OH() const { return (H + 2 * ph - R) / sh + 1; }
  uint32_t OW() const { return (W + 2 * pw - S) / sw + 1; }
  uint32_t P() const { return N * OH() * OW(); }
  // The pooled output size (the convolution's own when pool is 0).
  uint32_t PH() const { return pool ? OH() / 2 : OH(); }
  uint32_t PW() const { return pool ? OW() / 2 : OW(); }
  // Rows of col: one per output pixel, or 4 per pool window.
  uint32_t rows() const { return pool ? N * PH() * PW() * 4 : P(); }
  uint64_t out_count() const { return uint64_t(N) * K * PH() * PW(); }  // y and dy
  uint32_t CRS() const { return C * R * S; }
  uint32_t CRSp() const { return (CRS() + 3) / 4 * 4; }
  uint64_t flops() const { return 2ull * rows() * K * CRS(); }  // multiply-adds × 2, per pass
  // Throws InputError for shapes with no output or zero sizes, a pool other than 0 or 2, or
  // a pooled output of size 0.
  void validate() const;
  std::string str() const;  // "64x32x13x13 k64 3x3 s1 p0 pool2": a cache key and a plan line
  // str()'s form (equal strides and paddings) back into a shape, validated; InputError if not.
  static Conv2dShape parse(const std::string& text);
};

// How a convolution is computed: each route is one entry of nn/ops/conv2d_routes.hpp, which
// says where it applies and which kernels it runs.
enum class Conv2dRoute : uint8_t {
  Im2col,       // im2col + GEMM (this file): any shape, any device
  Winograd,     // F(2x2, 3x3) with the pool fused (nn/ops/conv2d_winograd.hpp)
  WinogradF33,  // F(3x3, 3x3), no pool (nn/ops/conv2d_winograd_f33.hpp)
  Direct,       // a pooled first layer, no column matrix in forward (nn/ops/conv2d_direct.hpp)
};

// The geometry plus the choices made for it: the route, and the layouts of its tensors.
// Built by plan_conv2d (nn/ops/conv2d_routes.hpp) or, in tests, by hand; a bare shape
// converts to the im2col route with NCHW tensors.
struct Conv2dPlan : Conv2dShape {
  Conv2dPlan() = default;
  Conv2dPlan(const Conv2dShape& shape, Conv2dRoute r = Conv2dRoute::Im2col) : Conv2dShape(shape), route(r) {}
  Conv2dRoute route = Conv2dRoute::Im2col;
  // Channels-last tensors, (N, H, W, C) instead of NCHW: x and dx (x_channels_last), or the
  // pooled y, dy and the pool's winners (y_channels_last; needs pool and K % 4 == 0). The
  // graph sets them on the boundary between two convolutions where both sides can
  // (conv2d_channels_last_output_ok): channel counts are multiples of 4 where the planes (13 x
  // 13, 5 x 5) are odd, so there 4 channels are one vec4 fetch or store where NCHW takes 4
  // (winograd_input, col2im, the pool epilogues and their adjoints).
  bool x_channels_last = false, y_channels_last = false;
  // The width of the workgroups of the route's own one-dimensional kernels (the direct route's
  // forward, the Winograd transforms); 0: the route's rule (64, or 8 where a transform stores
  // the uniform way). A measured candidate on GPUs (nn/plan/conv2d_plan.hpp).
  uint32_t local_x = 0;
  uint32_t width_or(uint32_t rule) const { return local_x ? local_x : rule; }
  // Conv2dShape::validate, and the route takes the shape (InputError if not).
  void validate() const;
};

// Scratch the passes share. `col` must survive from forward to backward (backward-weight
// reads it); `t` and `w_gemm` are free between calls.
struct Conv2dWorkspace {
  DeviceSpan col;       // (rows, CRSp)
  DeviceSpan t;         // (K, rows): dy' in backward; with pool also the raw output in forward
  DeviceSpan w_gemm;    // the weights as a GEMM reads them: rows zero-padded to (K, CRSp) when
                        // CRS % 4 != 0; (K, R, S, C) for backward-data when C % 4 == 0
  DeviceSpan partials;  // split-K slabs of the weight gradient (may be empty: no split)
  DeviceSpan argmax;    // (N, K, PH, PW), only with pool: forward writes it, backward reads it
  DeviceSpan v;         // only with winograd: the transformed input tiles (conv2d_winograd.hpp)
};
struct Conv2dWorkspaceSize {
  uint64_t col, t, w_gemm, partials, argmax, v;  // floats
};
// What the plan's route needs (nn/ops/conv2d_routes.hpp).
Conv2dWorkspaceSize conv2d_workspace_size(const Conv2dPlan& c);

// That workspace reserved in an arena (nn/ops/workspace_arena.hpp): a layer's in its graph's
// arena (nn/layers/conv2d.cpp), a measured route's in one of its own (nn/plan/conv2d_plan.cpp),
// so a route is measured in the layout it runs in. The optional parts (w_gemm, argmax, v) are
// empty where the route needs none.
class Conv2dWorkspaceRegions {
 public:
  Conv2dWorkspaceRegions(WorkspaceArena& arena, const Conv2dPlan& c);
  Conv2dWorkspace spans() const;  // allocates the arena on first use

 private:
  WorkspaceArena* arena_;
  WorkspaceArena::Region col_, t_, w_gemm_, partials_, argmax_, v_;
};

// The passes, each dispatched to the plan's route.
// y (N, K, OH, OW) = conv(x, w) + b, then ReLU if `relu`, then the pool if c.pool (y is then
// (N, K, PH, PW)). b may be empty.
void conv2d_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                    const Conv2dWorkspace& ws, bool relu = false);

// dw (K, C, R, S) and db (K) written (not accumulated); dx (N, C, H, W) written unless empty
// (the first layer needs none); dy is the gradient of forward's y (pooled, with c.pool); x is
// forward's input (read only by the direct route).
// Needs ws.col (and ws.argmax) as forward left them; overwrites col. With c.pool and a fused
// ReLU, forward's argmax already carries relu' (4 = no gradient), so nothing else is needed.
// = conv2d_backward_weight, then conv2d_backward_data.
void conv2d_backward(Stream& s, DeviceSpan dx, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan x, DeviceSpan w,
                     const Conv2dPlan& c, const Conv2dWorkspace& ws);

// The two halves, for benchmarks. backward_weight leaves what backward_data needs in the
// workspace; backward_data overwrites ws.col, so it must come second. Without `dx_needed` (a
// model's first layer) a route may skip what only backward_data needs (conv2d_im2col.hpp):
// then backward_data must not follow.
void conv2d_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan x, const Conv2dPlan& c,
                            const Conv2dWorkspace& ws, bool dx_needed = true);
void conv2d_backward_data(Stream& s, DeviceSpan dx, DeviceSpan w, const Conv2dPlan& c, const Conv2dWorkspace& ws);

// Whether the layer c describes can keep its pooled output channels-last (y_channels_last) on
// this device: the Winograd route, or a first layer (no dx) whose texel GEMM pools in its
// epilogue and whose weight gradient reads the pooled dy directly. Any layer can read a
// channels-last input. KernelPolicy::channels_last (VKTRAIN_NO_CHANNELS_LAST=1) says no.
bool conv2d_channels_last_output_ok(const Context& ctx, const Conv2dPlan& c, bool dx_needed);

}  // namespace vkt::nn
