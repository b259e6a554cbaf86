#version 450
#extension GL_GOOGLE_include_directive : require
// The F(3x3, 3x3) Winograd convolution's filter transform, every step (the weights change): for
// each input channel c and 4 filters k, U[ξ][c][k] = (G g Gᵀ)[ξ], ξ < 25, read by the forward
// and backward-data GEMMs (nn/ops/conv2d_winograd_f33.hpp).
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f33.glsl"

layout(binding = 0) uniform samplerBuffer w;  // R32F: (K, C, 3, 3)
layout(std430, binding = 1) writeonly buffer U { vec4 u4[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= C * (K / 4u)) return;
  const uint c = id / (K / 4u), k0 = (id % (K / 4u)) * 4u;
  vec4 u[25];  // the filter in the top-left 3x3, then U
  for (uint xi = 0u; xi < 25u; ++xi) u[xi] = vec4(0.0);
  for (uint tap = 0u; tap < 9u; ++tap)
    for (uint q = 0u; q < 4u; ++q) u[(tap / 3u) * 5u + tap % 3u][q] = texelFetch(w, int(((k0 + q) * C + c) * 9u + tap)).x;
  winograd33_filter(u);
  for (uint xi = 0u; xi < 25u; ++xi) u4[((xi * C + c) * K + k0) >> 2u] = u[xi];
}
