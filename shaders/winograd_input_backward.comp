#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of winograd_input.comp, per tile: dd = B dV Bᵀ (dV read from the transposed
// product backward-data computes), the gradient of the tile's 4x4
// input patch, stored as a column matrix dd (T, 16·C) with columns (i, j, c), channels
// innermost. Tiles overlap by 2 pixels, so col2im.comp (R = S = 4, stride 2, channels-last)
// then sums each pixel's terms into dx. One invocation per tile and 4 channels.
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f23.glsl"

layout(binding = 0) uniform samplerBuffer dvt;  // R32F: dVᵀ (16, C, T)
layout(std430, binding = 1) writeonly buffer DD { vec4 dd[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= tiles() * (C / 4u)) return;
  const uint t = id / (C / 4u), c0 = (id % (C / 4u)) * 4u, T = tiles();
  vec4 g[16];
  for (uint xi = 0u; xi < 16u; ++xi)
    for (uint q = 0u; q < 4u; ++q) g[xi][q] = texelFetch(dvt, int((xi * C + c0 + q) * T + t)).x;
  winograd_input_adjoint(g);
  for (uint xi = 0u; xi < 16u; ++xi) dd[((t * 16u + xi) * C + c0) >> 2u] = g[xi];
}
