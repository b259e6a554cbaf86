#pragma once
// 2-D pooling, NCHW, in double: max pool (with argmax), average pool, global average pool.
#include <cstdint>
#include <span>

namespace vkt::ref {

struct Pool2dShape {
  int N = 1, C = 1, H = 1, W = 1;  // input (N, C, H, W)
  int kh = 2, kw = 2;              // window
  int sh = 2, sw = 2;              // stride
  int ph = 0, pw = 0;              // padding on each side
  // Floor division (PyTorch ceil_mode=False).
  int OH() const { return (H + 2 * ph - kh) / sh + 1; }
  int OW() const { return (W + 2 * pw - kw) / sw + 1; }
};
// Both pools require ph <= kh/2 and pw <= kw/2 (PyTorch's rule). With floor output sizes this
// guarantees every window covers at least one real input cell, so a max is always defined.

// y = max over the window; padded cells count as -infinity and are never chosen.
// argmax = index of the chosen cell within its input plane, h*W + w (int32).
// Ties: the first maximum in row-major window order wins (scan r then s, replace only on >).
void maxpool2d_forward(std::span<double> y,         // (N, C, OH, OW)  overwritten
                       std::span<int32_t> argmax,   // (N, C, OH, OW)  overwritten
                       std::span<const double> x,   // (N, C, H, W)
                       const Pool2dShape& s);

// dx[n, c, argmax] += dy: overlapping windows (stride < kernel) that chose the same cell add up.
void maxpool2d_backward(std::span<double> dx,              // (N, C, H, W)
                        std::span<const double> dy,        // (N, C, OH, OW)
                        std::span<const int32_t> argmax,   // (N, C, OH, OW)
                        const Pool2dShape& s);

// y = (sum of the real cells in the window) / (kh * kw): the divisor always counts padded
// cells (PyTorch count_include_pad=True).
void avgpool2d_forward(std::span<double> y,        // (N, C, OH, OW)  overwritten
                       std::span<const double> x,  // (N, C, H, W)
                       const Pool2dShape& s);

// dx[cell] += dy / (kh * kw) for every real cell of every window containing it.
void avgpool2d_backward(std::span<double> dx,        // (N, C, H, W)
                        std::span<const double> dy,  // (N, C, OH, OW)
                        const Pool2dShape& s);

// y[n, c] = mean over H*W of x[n, c, :, :].
void global_avgpool_forward(std::span<double> y,        // (N, C)  overwritten
                            std::span<const double> x,  // (N, C, H, W)
                            int N, int C, int H, int W);
// dx[n, c, h, w] += dy[n, c] / (H*W)
void global_avgpool_backward(std::span<double> dx,        // (N, C, H, W)
                             std::span<const double> dy,  // (N, C)
                             int N, int C, int H, int W);

}  // namespace vkt::ref
