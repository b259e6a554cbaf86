#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of winograd_input.comp, per tile: dd = B dV Bᵀ (dV as backward-data's product
// leaves it, 4 channels per fetch), the gradient of the tile's 4x4
// input patch, stored as a column matrix dd (T, 16·C) with columns (i, j, c), channels
// innermost. Tiles overlap by 2 pixels, so col2im.comp (R = S = 4, stride 2, channels-last)
// then sums each pixel's terms into dx. One invocation per tile and 4 channels.
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f23.glsl"

layout(binding = 0) uniform samplerBuffer dv;  // RGBA32F: dV (16, T, C)
layout(std430, binding = 1) writeonly buffer DD { vec4 dd[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= tiles() * (C / 4u)) return;
  const uint t = id / (C / 4u), c0 = (id % (C / 4u)) * 4u, T = tiles();
  vec4 g[16];
  for (uint xi = 0u; xi < 16u; ++xi) g[xi] = texelFetch(dv, int(((xi * T + t) * C + c0) >> 2u));
  winograd_input_adjoint(g);
  for (uint xi = 0u; xi < 16u; ++xi) dd[((t * 16u + xi) * C + c0) >> 2u] = g[xi];
}
