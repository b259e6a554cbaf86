#pragma once
// Host-side layout changes for tests and benchmarks of channels-last tensors
// (nn/ops/conv2d.hpp, Conv2dShape::x_channels_last): (N, C, H, W) <-> (N, H, W, C).
#include <cstddef>
#include <vector>

namespace vkt::ref {

template <typename T>
std::vector<T> nchw_to_nhwc(const std::vector<T>& x, size_t N, size_t C, size_t H, size_t W) {
  std::vector<T> y(x.size());
  for (size_t n = 0; n < N; ++n)
    for (size_t c = 0; c < C; ++c)
      for (size_t i = 0; i < H * W; ++i) y[(n * H * W + i) * C + c] = x[(n * C + c) * H * W + i];
  return y;
}

template <typename T>
std::vector<T> nhwc_to_nchw(const std::vector<T>& x, size_t N, size_t C, size_t H, size_t W) {
  std::vector<T> y(x.size());
  for (size_t n = 0; n < N; ++n)
    for (size_t c = 0; c < C; ++c)
      for (size_t i = 0; i < H * W; ++i) y[(n * C + c) * H * W + i] = x[(n * H * W + i) * C + c];
  return y;
}

}  // namespace vkt::ref
