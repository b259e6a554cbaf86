// The adjoint of winograd_output_pool.comp: from the pooled gradient dy (N, K, TH, TW) and the
// winning cells, dM[ξ][t][k] = (A dY Aᵀ)[ξ], where the tile's dY holds dy at the winner and 0
// elsewhere (all 0 when the ReLU zeroed the window, cell 4). One invocation per tile and 4
// filters, no loop, as winograd_input: 8 scalar reads, 16 vec4 stores. (An invocation
// taking 16 tiles in a loop, to sum the bias gradient on the way, ran 4x slower per byte
// stored: storage stores are per-lane loops on llvmpipe, and inside a loop each one also
// tests the loop's mask.) The bias gradient is the column sum of dM[5] = (A dY Aᵀ)[1][1]:
// row 1 of A is (1, 1), so that element is the window's sum, dy at the winner
// (nn/ops/conv2d_winograd.cpp).
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f23.glsl"
#include "uniform_store.glsl"

// Stores the uniform way (uniform_store.glsl): 8-invocation workgroups, K % 32 == 0, so a
// subgroup's 8 lanes are one tile's 8 consecutive groups of 4 filters.
layout(constant_id = 11) const bool UNIFORM_STORE = false;

layout(binding = 0) uniform samplerBuffer dy;      // R32F; RGBA32F with Y_NHWC
layout(binding = 1) uniform samplerBuffer argmax;  // the same
layout(std430, binding = 2) writeonly buffer DM { vec4 dm[]; };
#ifdef UNIFORM_STORE_U64
layout(std430, binding = 2) writeonly buffer DM64 { u64vec2 dm64[]; };  // the same, two floats per component
#endif

void main() {
  uint id;
  if (!grid_index(UNIFORM_STORE, tiles() * (K / 4u), id)) return;
  const uint t = id / (K / 4u), k0 = (id % (K / 4u)) * 4u;
  const uint T = tiles(), cells = TH * TW, n = t / cells, pos = t % cells;
  vec4 g, cells4, ra[4], rb[4];  // ra[i][q] = A[i][a_q], rb[j][q] = A[j][b_q] for filter q's winner (a_q, b_q)
  if (Y_NHWC) {  // (N, TH, TW, K): the 4 filters are one fetch
    g = texelFetch(dy, int((t * K + k0) >> 2u));
    cells4 = texelFetch(argmax, int((t * K + k0) >> 2u));
  } else {
    for (uint q = 0u; q < 4u; ++q) {
      const int src = int((n * K + k0 + q) * cells + pos);
      g[q] = texelFetch(dy, src).x;
      cells4[q] = texelFetch(argmax, src).x;
    }
  }
  for (uint q = 0u; q < 4u; ++q) {
    const float cell = cells4[q];
    // A select, not a multiply by the mask: 0 * inf would be NaN.
    g[q] = cell < 3.5 ? g[q] : 0.0;
    const uint c = min(uint(cell), 3u);
    for (uint i = 0u; i < 4u; ++i) {
      const vec2 a = winograd_a_row(i);
      ra[i][q] = (c >> 1u) == 0u ? a.x : a.y;
      rb[i][q] = (c & 1u) == 0u ? a.x : a.y;
    }
  }
  if (UNIFORM_STORE) {
    uint t0, q0;  // the subgroup's tile and its first group of 4 filters
    uniform_first(K / 4u, t0, q0);
    [[unroll]] for (uint i = 0u; i < 4u; ++i)
      [[unroll]] for (uint j = 0u; j < 4u; ++j) {
        const vec4 v = g * ra[i] * rb[j];
        [[unroll]] for (uint l = 0u; l < 8u; ++l) UNIFORM_STORE_VEC4(dm, ((4u * i + j) * T + t0) * (K / 4u) + q0 + l, subgroupShuffle(v, l));
      }
  } else {
    for (uint i = 0u; i < 4u; ++i)
      for (uint j = 0u; j < 4u; ++j) dm[(((4u * i + j) * T + t) * K + k0) >> 2u] = g * ra[i] * rb[j];
  }
}
