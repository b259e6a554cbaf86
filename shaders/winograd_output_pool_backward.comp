#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of winograd_output_pool.comp: from the pooled gradient dy (N, K, TH, TW) and the
// winning cells, dM[ξ][t][k] = (A dY Aᵀ)[ξ], where the tile's dY holds dy at the winner and 0
// elsewhere (all 0 when the ReLU zeroed the window, cell 4). Each invocation takes
// TILES_PER_INV tiles of 4 filters, tile t = u·chunks + chunk for u = 0, 1, ...: neighbouring
// lanes store to neighbouring tiles (one chunk's consecutive tiles per lane ran 2.2 ms at
// b64, scattered stores), and writes the gradient it passed on, summed, to
// bias_partial[k][chunk]: the bias gradient is the sum of those partials
// (nn/ops/conv2d_winograd.cpp), as in maxpool2x2_windows_backward.comp.
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f23.glsl"

layout(constant_id = 11) const uint TILES_PER_INV = 16;

layout(binding = 0) uniform samplerBuffer dy;      // R32F
layout(binding = 1) uniform samplerBuffer argmax;  // R32F
layout(std430, binding = 2) writeonly buffer DM { vec4 dm[]; };
layout(std430, binding = 3) writeonly buffer BiasPartial { float bias_partial[]; };

void main() {
  const uint chunk = gl_GlobalInvocationID.x, k0 = gl_GlobalInvocationID.y * 4u;
  if (chunk >= p.chunks || k0 >= K) return;
  const uint T = tiles(), cells = TH * TW;
  vec4 sum = vec4(0.0);
  for (uint u = 0u; u < TILES_PER_INV; ++u) {
    const uint t = u * p.chunks + chunk;
    if (t >= T) break;
    const uint n = t / cells, pos = t % cells;
    vec4 g, ra[4], rb[4];  // ra[i][q] = A[i][a_q], rb[j][q] = A[j][b_q] for filter q's winner (a_q, b_q)
    for (uint q = 0u; q < 4u; ++q) {
      const int src = int((n * K + k0 + q) * cells + pos);
      const float cell = texelFetch(argmax, src).x;
      // A select, not a multiply by the mask: 0 * inf would be NaN.
      g[q] = cell < 3.5 ? texelFetch(dy, src).x : 0.0;
      const uint c = min(uint(cell), 3u);
      for (uint i = 0u; i < 4u; ++i) {
        const vec2 a = winograd_a_row(i);
        ra[i][q] = (c >> 1u) == 0u ? a.x : a.y;
        rb[i][q] = (c & 1u) == 0u ? a.x : a.y;
      }
    }
    sum += g;
    for (uint i = 0u; i < 4u; ++i)
      for (uint j = 0u; j < 4u; ++j) dm[(((4u * i + j) * T + t) * K + k0) >> 2u] = g * ra[i] * rb[j];
  }
  for (uint q = 0u; q < 4u; ++q) bias_partial[(k0 + q) * p.chunks + chunk] = sum[q];
}
