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
#include "uniform_store.glsl"

// Stores the uniform way (uniform_store.glsl): 8-invocation workgroups, C % 32 == 0, so a
// subgroup's 8 lanes are one tile's 8 consecutive groups of 4 channels.
layout(constant_id = 11) const bool UNIFORM_STORE = false;

layout(binding = 0) uniform samplerBuffer dv;  // RGBA32F: dV (16, T, C)
layout(std430, binding = 1) writeonly buffer DD { vec4 dd[]; };

void main() {
  uint id;
  if (UNIFORM_STORE) {
    id = gl_WorkGroupID.x * 8u + gl_LocalInvocationID.x;  // the grid is exact
  } else {
    id = global_index_1d();
    if (id >= tiles() * (C / 4u)) return;
  }
  const uint t = id / (C / 4u), c0 = (id % (C / 4u)) * 4u, T = tiles();
  vec4 g[16];
  for (uint xi = 0u; xi < 16u; ++xi) g[xi] = texelFetch(dv, int(((xi * T + t) * C + c0) >> 2u));
  winograd_input_adjoint(g);
  if (UNIFORM_STORE) {
    const uint first = uniform_workgroup() * 8u;  // the subgroup's first id: its tile, its first 4 channels
    const uint t0 = first / (C / 4u), q0 = first % (C / 4u);
    [[unroll]] for (uint xi = 0u; xi < 16u; ++xi)
      [[unroll]] for (uint l = 0u; l < 8u; ++l) dd[(t0 * 16u + xi) * (C / 4u) + q0 + l] = subgroupShuffle(g[xi], l);
  } else {
    for (uint xi = 0u; xi < 16u; ++xi) dd[((t * 16u + xi) * C + c0) >> 2u] = g[xi];
  }
}
