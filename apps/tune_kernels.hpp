#pragma once
// `vktrain tune-kernels`' options, shared by its two searches: a GEMM kernel's shapes
// (apps/tune_kernels.cpp) and a convolution route's workgroup width (apps/tune_conv_width.cpp).
#include <cstdint>
#include <string>

namespace vkt::app {

struct TuneKernelsOptions {
  std::string gemm = "128x128x784", kernel = "tiled", sampler = "tpe", device;
  std::string conv, route;  // conv: a shape as --print-plan shows it; set, the width is searched
  bool trans_a = false, trans_b = true, json = false, remember = false, first_layer = false;
  int trials = 30, repeats = 3;
  uint64_t seed = 0;
};

// Searches `o.route`'s (or the shape's default route's) workgroup width for the convolution
// `o.conv`.
void run_tune_conv_width(const TuneKernelsOptions& o);

}  // namespace vkt::app
