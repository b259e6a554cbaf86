#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of winograd33_input.comp, per tile: dd = B dV Bᵀ (dV as backward-data's product
// leaves it, 4 channels per fetch), the gradient of the tile's 5x5 input patch, stored as a
// column matrix dd (T, 25·C) with columns (i, j, c), channels innermost. Tiles overlap by 2
// pixels, so col2im (R = S = 5, stride 3, channels-last) then sums each pixel's terms
// into dx. One invocation per tile and 4 channels.
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f33.glsl"

layout(binding = 0) uniform samplerBuffer dv;  // RGBA32F: dV (25, T, C)
layout(std430, binding = 1) writeonly buffer DD { vec4 dd[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= tiles() * (C / 4u)) return;
  const uint t = id / (C / 4u), c0 = (id % (C / 4u)) * 4u, T = tiles();
  vec4 g[25];
  for (uint xi = 0u; xi < 25u; ++xi) g[xi] = texelFetch(dv, int(((xi * T + t) * C + c0) >> 2u));
  winograd33_input_adjoint(g);
  for (uint xi = 0u; xi < 25u; ++xi) dd[((t * 25u + xi) * C + c0) >> 2u] = g[xi];
}
