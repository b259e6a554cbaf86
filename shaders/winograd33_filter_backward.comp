#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of winograd33_filter.comp: dw[k][c] (3x3) = Gᵀ dU[·][c][k] G, from the
// backward-weight GEMMs' dU (25, C, K). One invocation per input channel and 4 filters.
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f33.glsl"

layout(binding = 0) uniform samplerBuffer du;  // RGBA32F: dU (25, C, K)
layout(std430, binding = 1) writeonly buffer DW { float dw[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= C * (K / 4u)) return;
  const uint c = id / (K / 4u), k0 = (id % (K / 4u)) * 4u;
  vec4 u[25];
  for (uint xi = 0u; xi < 25u; ++xi) u[xi] = texelFetch(du, int(((xi * C + c) * K + k0) >> 2u));
  winograd33_filter_adjoint(u);  // dw in the top-left 3x3
  for (uint q = 0u; q < 4u; ++q)
    for (uint tap = 0u; tap < 9u; ++tap) dw[((k0 + q) * C + c) * 9u + tap] = u[(tap / 3u) * 5u + tap % 3u][q];
}
