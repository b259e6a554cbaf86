#version 450
#extension GL_GOOGLE_include_directive : require
// The F(3x3, 3x3) Winograd convolution's output transform, fused with bias and ReLU: each
// 3x3 output tile y = Aᵀ m A + b, stored NCHW (N, K, 3·TH, 3·TW). One invocation per tile and
// 4 filters: 25 vec4 reads of M (25, T, K).
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f33.glsl"

layout(constant_id = 11) const bool RELU = false;
layout(constant_id = 12) const bool BIAS = false;

layout(binding = 0) uniform samplerBuffer m;     // RGBA32F: M (25, T, K)
layout(binding = 1) uniform samplerBuffer bias;  // R32F: (K); read only with BIAS
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= tiles() * (K / 4u)) return;
  const uint t = id / (K / 4u), k0 = (id % (K / 4u)) * 4u, T = tiles();
  const uint tw = t % TW, th = (t / TW) % TH, n = t / (TW * TH);
  vec4 mt[25];
  for (uint xi = 0u; xi < 25u; ++xi) mt[xi] = texelFetch(m, int(((xi * T + t) * K + k0) >> 2u));
  winograd33_output(mt);  // y in the top-left 3x3
  vec4 b = vec4(0.0);
  if (BIAS)
    for (uint q = 0u; q < 4u; ++q) b[q] = texelFetch(bias, int(k0 + q)).x;
  const uint OH = 3u * TH, OW = 3u * TW;
  for (uint cell = 0u; cell < 9u; ++cell) {
    vec4 v = mt[(cell / 3u) * 5u + cell % 3u] + b;
    if (RELU) v = max(v, vec4(0.0));
    const uint oy = 3u * th + cell / 3u, ox = 3u * tw + cell % 3u;
    for (uint q = 0u; q < 4u; ++q) y[((n * K + k0 + q) * OH + oy) * OW + ox] = v[q];
  }
}
