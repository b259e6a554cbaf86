#version 450
#extension GL_GOOGLE_include_directive : require
// The Winograd convolution's output transform, fused with bias, ReLU and the 2x2 max pool:
// each 2x2 output tile y = Aᵀ m A is one pool window, so only its maximum y (N, K, TH, TW)
// and the winning cell (0-3, or 4 when the ReLU zeroed all four: maxpool2x2_window.glsl) are
// stored, as the direct route's gemm_texel_maxpool does. One invocation per tile and 4
// filters: 16 vec4 reads of M (16, T, K).
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f23.glsl"
#include "maxpool2x2_window.glsl"

layout(constant_id = 11) const bool RELU = false;
layout(constant_id = 12) const bool BIAS = false;

layout(binding = 0) uniform samplerBuffer m;     // RGBA32F: M (16, T, K)
layout(binding = 1) uniform samplerBuffer bias;  // R32F: (K); read only with BIAS
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(std430, binding = 3) writeonly buffer Argmax { float argmax[]; };
layout(std430, binding = 2) writeonly buffer Y4 { vec4 y4[]; };  // Y_NHWC: 4 filters per store
layout(std430, binding = 3) writeonly buffer Argmax4 { vec4 argmax4[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= tiles() * (K / 4u)) return;
  const uint t = id / (K / 4u), k0 = (id % (K / 4u)) * 4u;
  const uint T = tiles(), cells = TH * TW, n = t / cells, pos = t % cells;
  vec4 mt[16];
  for (uint xi = 0u; xi < 16u; ++xi) mt[xi] = texelFetch(m, int(((xi * T + t) * K + k0) >> 2u));
  vec4 out4[4];
  winograd_output(mt, out4);
  vec4 b = vec4(0.0);
  if (BIAS)
    for (uint q = 0u; q < 4u; ++q) b[q] = texelFetch(bias, int(k0 + q)).x;
  vec4 best, cell;
  for (uint q = 0u; q < 4u; ++q) {
    vec4 window = vec4(out4[0][q], out4[1][q], out4[2][q], out4[3][q]) + b[q];
    if (RELU) window = max(window, vec4(0.0));
    best[q] = window_max(window, RELU, cell[q]);
  }
  if (Y_NHWC) {  // (N, TH, TW, K): tile t's 4 filters side by side
    y4[(t * K + k0) >> 2u] = best;
    argmax4[(t * K + k0) >> 2u] = cell;
    return;
  }
  for (uint q = 0u; q < 4u; ++q) {
    const uint o = (n * K + k0 + q) * cells + pos;
    y[o] = best[q];
    argmax[o] = cell[q];
  }
}
