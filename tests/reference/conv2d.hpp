#pragma once
// 2-D convolution (really cross-correlation, as in every DL framework), NCHW, in double.
// Zero padding, stride, no dilation, no groups.
#include <span>

namespace vkt::ref {

struct Conv2dShape {
  int N = 1, C = 1, H = 1, W = 1;  // input (N, C, H, W)
  int K = 1, R = 1, S = 1;         // weights (K, C, R, S): K output channels, R x S kernel
  int sh = 1, sw = 1;              // stride
  int ph = 0, pw = 0;              // zero padding on each side
  // Output size, floor division as in PyTorch: OH = (H + 2ph - R) / sh + 1.
  int OH() const { return (H + 2 * ph - R) / sh + 1; }
  int OW() const { return (W + 2 * pw - S) / sw + 1; }

  // From any shape type with the same fields (nn::Conv2dShape), without depending on it.
  template <class Shape>
  static Conv2dShape from(const Shape& c) {
    return {int(c.N), int(c.C), int(c.H), int(c.W), int(c.K), int(c.R), int(c.S),
            int(c.sh), int(c.sw), int(c.ph), int(c.pw)};
  }
};

// y[n,k,oh,ow] = b[k] + sum_{c,r,s} x[n, c, oh*sh - ph + r, ow*sw - pw + s] * w[k,c,r,s]
// (out-of-range input positions read as 0). b may be empty.
// Throws if the output would be empty (H + 2ph < R or W + 2pw < S) or a size is wrong.
void conv2d_forward(std::span<double> y,        // (N, K, OH, OW)  overwritten
                    std::span<const double> x,  // (N, C, H, W)
                    std::span<const double> w,  // (K, C, R, S)
                    std::span<const double> b,  // (K) or empty
                    const Conv2dShape& s);

// Adds dx, dw, db. dx may be empty (first layer), db may be empty (no bias).
void conv2d_backward(std::span<double> dx,        // (N, C, H, W) or empty
                     std::span<double> dw,        // (K, C, R, S)
                     std::span<double> db,        // (K) or empty
                     std::span<const double> dy,  // (N, K, OH, OW)
                     std::span<const double> x,   // (N, C, H, W)
                     std::span<const double> w,   // (K, C, R, S)
                     const Conv2dShape& s);

}  // namespace vkt::ref
