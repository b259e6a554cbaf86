#pragma once
// 2-D pooling, NCHW: max pool (with int32 argmax), average pool (count_include_pad), global
// average pool. Semantics exactly as tests/reference/pool.hpp (PyTorch floor output sizes).
// Backward passes are gathers (each dx element visits the outputs whose windows contain it),
// so overlapping windows (stride < kernel) need no atomics; they WRITE dx.
#include <string>
#include <vector>

#include "nn/ops/device_span.hpp"

namespace vkt::nn {

struct Pool2dShape {
  uint32_t N = 1, C = 1, H = 1, W = 1;  // input (N, C, H, W)
  uint32_t kh = 2, kw = 2;              // window
  uint32_t sh = 2, sw = 2;              // stride
  uint32_t ph = 0, pw = 0;              // padding on each side, at most kh/2, kw/2

  uint32_t OH() const { return (H + 2 * ph - kh) / sh + 1; }
  uint32_t OW() const { return (W + 2 * pw - kw) / sw + 1; }
  uint64_t in_count() const { return uint64_t(N) * C * H * W; }
  uint64_t out_count() const { return uint64_t(N) * C * OH() * OW(); }
  // Throws InputError for zero sizes or strides, padding over half the window, or a window
  // larger than the padded input. Together these guarantee every window holds a real cell.
  void validate() const;
  std::string str() const;  // "64x32x26x26 k2x2 s2x2 p0x0"
};

// y (N, C, OH, OW) = max over each window; argmax (N, C, OH, OW, int32) = the chosen cell's
// index h*W + w within its input plane. Padded cells are never chosen; ties go to the first
// maximum in row-major window order.
void maxpool2d_forward(Stream& s, DeviceSpan y, DeviceSpan argmax, DeviceSpan x, const Pool2dShape& p);
// dx (N, C, H, W) = Σ dy over the outputs whose argmax chose the cell (0 elsewhere). Written.
// Two routes (the plan's choice, nn/plan/pool_plan.hpp):
//   gather:  shaders/maxpool2d_backward.comp, each dx cell visits the windows holding it; any
//            stride (the reference).
//   scatter: zero dx, then shaders/maxpool2d_backward_scatter.comp sends each dy to its winner;
//            only where windows never overlap (stride >= window), so no two writes meet.
enum class MaxPoolBackward { Scatter, Gather };
std::string maxpool_backward_name(MaxPoolBackward r);
// The routes that apply to `p`, the rule's choice (scatter where it applies) first.
std::vector<MaxPoolBackward> maxpool_backward_routes(const Pool2dShape& p);
void maxpool2d_backward(Stream& s, MaxPoolBackward route, DeviceSpan dx, DeviceSpan dy, DeviceSpan argmax,
                        const Pool2dShape& p);

// The pool of a convolution fused with a 2x2, stride-2 max pool (nn/ops/conv2d.hpp,
// Conv2dShape::pool), on the GEMM's window-grouped output yw (K, N·PH·PW, 4): y (N, K, PH, PW)
// = max of each window, argmax = the winning cell 0-3 as a float (4: none, when `relu` zeroed
// the whole window). Ties go to the first maximum, as maxpool2d_forward.
void maxpool2x2_windows_forward(Stream& s, DeviceSpan y, DeviceSpan argmax, DeviceSpan yw, uint32_t N, uint32_t K,
                                uint32_t PH, uint32_t PW, bool relu);
// dyw (K, N·PH·PW, 4) = dy at each window's winning cell, 0 elsewhere. Written. Also writes
// bias_partial (K, maxpool2x2_windows_chunks(...)): sums of the gradient passed on, whose row
// sums are the bias gradient of the convolution before the pool.
void maxpool2x2_windows_backward(Stream& s, DeviceSpan dyw, DeviceSpan bias_partial, DeviceSpan dy, DeviceSpan argmax,
                                 uint32_t N, uint32_t K, uint32_t PH, uint32_t PW);
uint32_t maxpool2x2_windows_chunks(uint32_t N, uint32_t PH, uint32_t PW);

// y (N, C, OH, OW) = (sum of the real cells in the window) / (kh*kw).
void avgpool2d_forward(Stream& s, DeviceSpan y, DeviceSpan x, const Pool2dShape& p);
// dx (N, C, H, W) = Σ dy / (kh*kw) over the windows containing the cell. Written.
void avgpool2d_backward(Stream& s, DeviceSpan dx, DeviceSpan dy, const Pool2dShape& p);

// y (N, C) = mean of x (N, C, H, W) over H*W.
void global_avgpool_forward(Stream& s, DeviceSpan y, DeviceSpan x, uint32_t N, uint32_t C, uint32_t H, uint32_t W);
// dx (N, C, H, W) = dy[n, c] / (H*W). Written.
void global_avgpool_backward(Stream& s, DeviceSpan dx, DeviceSpan dy, uint32_t N, uint32_t C, uint32_t H,
                             uint32_t W);

}  // namespace vkt::nn
