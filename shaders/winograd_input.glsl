// The Winograd convolution's input transform: V[ξ][t][c] = (Bᵀ d B)[ξ] for every 4x4 input tile
// d (winograd_common.glsl), zero outside the image. One invocation per tile and 4 channels:
// 64 branch-free texel reads (clamped, then selected; 16 when x is channels-last), one vec4
// store per position.
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f23.glsl"
#include "uniform_store.glsl"
#include "winograd_input_fetch.glsl"

// Stores the uniform way (uniform_store.glsl): 8-invocation workgroups, C % 32 == 0, so a
// subgroup's 8 lanes are one tile's 8 consecutive groups of 4 channels.
layout(constant_id = 11) const bool UNIFORM_STORE = false;

layout(std430, binding = 1) writeonly buffer V { vec4 v[]; };
#ifdef UNIFORM_STORE_U64
layout(std430, binding = 1) writeonly buffer V64 { u64vec2 v64[]; };  // the same, two floats per component
#endif

void main() {
  uint id;
  if (!grid_index(UNIFORM_STORE, tiles() * (C / 4u), id)) return;
  const uint t = id / (C / 4u), c0 = (id % (C / 4u)) * 4u;
  const uint tw = t % TW, th = (t / TW) % TH, n = t / (TW * TH);
  const int y0 = int(2u * th) - int(PAD_H), x0 = int(2u * tw) - int(PAD_W);
  vec4 d[16];
  for (uint i = 0u; i < 4u; ++i) {
    const int yy = y0 + int(i);
    for (uint j = 0u; j < 4u; ++j) d[4u * i + j] = input_quad(n, c0, yy, x0 + int(j));
  }
  winograd_input(d);
  const uint T = tiles();
  if (UNIFORM_STORE) {
    uint t0, q0;  // the subgroup's tile and its first group of 4 channels
    uniform_first(C / 4u, t0, q0);
    [[unroll]] for (uint xi = 0u; xi < 16u; ++xi)
      [[unroll]] for (uint l = 0u; l < 8u; ++l) UNIFORM_STORE_VEC4(v, (xi * T + t0) * (C / 4u) + q0 + l, subgroupShuffle(d[xi], l));
  } else {
    for (uint xi = 0u; xi < 16u; ++xi) v[((xi * T + t) * C + c0) >> 2u] = d[xi];
  }
}
