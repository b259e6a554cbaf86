// Geometry shared by the Winograd convolution's transform kernels (nn/ops/conv2d_winograd.cpp):
// a 3x3, stride-1 convolution of x (N, C, H, W) with zero padding PAD_H, PAD_W, fused with a
// 2x2, stride-2 max pool. Its 2x2 output tiles are exactly the pool's windows: TH x TW tiles
// per image, T = N·TH·TW in all, tile t = (n, th, tw) reading the 4x4 input patch at
// (2·th - PAD_H, 2·tw - PAD_W). Matrices of the 16 GEMMs, row-major, position ξ = i*4 + j:
//   V (16, T, C)   transformed input tiles       U (16, C, K)  filters
//   M (16, T, K)   products (forward), or dM (backward);  dV (16, T, C)
// The batch is pushed; the rest are specialization constants (constant divisors).
layout(constant_id = 3) const uint C = 4;
layout(constant_id = 4) const uint K = 4;
layout(constant_id = 5) const uint H = 4;
layout(constant_id = 6) const uint W = 4;
layout(constant_id = 7) const uint PAD_H = 0;
layout(constant_id = 8) const uint PAD_W = 0;
layout(constant_id = 9) const uint TH = 1;
layout(constant_id = 10) const uint TW = 1;
// (11 and 12 are the kernels' own.) Channels-last tensors (nn/ops/conv2d.hpp): x and dx are
// (N, H, W, C), the pooled y, dy and winners (N, TH, TW, K); 4 channels are then one vec4.
layout(constant_id = 13) const bool X_NHWC = false;
layout(constant_id = 14) const bool Y_NHWC = false;

layout(push_constant) uniform Push {
  uint N;
  uint ident[16];  // 0..15 (uniform_store.glsl)
} p;

uint tiles() { return p.N * TH * TW; }
