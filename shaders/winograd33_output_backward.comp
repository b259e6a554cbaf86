#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of winograd33_output.comp: dM[ξ][t][k] = (A dY Aᵀ)[ξ] for each 3x3 tile of the
// output gradient dy (N, K, 3·TH, 3·TW), read by the backward-weight and backward-data GEMMs.
// (The ReLU's derivative is applied to dy before, by the activation's own backward pass.) One
// invocation per tile and 4 filters.
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f33.glsl"

layout(binding = 0) uniform samplerBuffer dy;  // R32F: (N, K, OH, OW)
layout(std430, binding = 1) writeonly buffer DM { vec4 dm[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= tiles() * (K / 4u)) return;
  const uint t = id / (K / 4u), k0 = (id % (K / 4u)) * 4u, T = tiles();
  const uint tw = t % TW, th = (t / TW) % TH, n = t / (TW * TH);
  const uint OH = 3u * TH, OW = 3u * TW;
  vec4 mt[25];  // dY in the top-left 3x3, then dM
  for (uint xi = 0u; xi < 25u; ++xi) mt[xi] = vec4(0.0);
  for (uint cell = 0u; cell < 9u; ++cell) {
    const uint oy = 3u * th + cell / 3u, ox = 3u * tw + cell % 3u;
    for (uint q = 0u; q < 4u; ++q)
      mt[(cell / 3u) * 5u + cell % 3u][q] = texelFetch(dy, int(((n * K + k0 + q) * OH + oy) * OW + ox)).x;
  }
  winograd33_output_adjoint(mt);
  for (uint xi = 0u; xi < 25u; ++xi) dm[((xi * T + t) * K + k0) >> 2u] = mt[xi];
}
