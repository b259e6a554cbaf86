// The adjoint of winograd_input, per tile: dd = B dV Bᵀ (dV as backward-data's product
// leaves it, 4 channels per fetch), the gradient of the tile's 4x4
// input patch, stored as a column matrix dd (T, 16·C) with columns (i, j, c), channels
// innermost. Tiles overlap by 2 pixels, so col2im (R = S = 4, stride 2, channels-last)
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
#ifdef UNIFORM_STORE_U64
layout(std430, binding = 1) writeonly buffer DD64 { u64vec2 dd64[]; };  // the same, two floats per component
#endif

void main() {
  uint id;
  if (!grid_index(UNIFORM_STORE, tiles() * (C / 4u), id)) return;
  const uint t = id / (C / 4u), c0 = (id % (C / 4u)) * 4u, T = tiles();
  vec4 g[16];
  for (uint xi = 0u; xi < 16u; ++xi) g[xi] = texelFetch(dv, int(((xi * T + t) * C + c0) >> 2u));
  winograd_input_adjoint(g);
  if (UNIFORM_STORE) {
    uint t0, q0;  // the subgroup's tile and its first group of 4 channels
    uniform_first(C / 4u, t0, q0);
    [[unroll]] for (uint xi = 0u; xi < 16u; ++xi)
      [[unroll]] for (uint l = 0u; l < 8u; ++l) UNIFORM_STORE_VEC4(dd, (t0 * 16u + xi) * (C / 4u) + q0 + l, subgroupShuffle(g[xi], l));
  } else {
    for (uint xi = 0u; xi < 16u; ++xi) dd[((t * 16u + xi) * C + c0) >> 2u] = g[xi];
  }
}
