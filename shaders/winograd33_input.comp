#version 450
#extension GL_GOOGLE_include_directive : require
// The F(3x3, 3x3) Winograd convolution's input transform: V[ξ][t][c] = (Bᵀ d B)[ξ] for every
// 5x5 input tile d at (3·th - PAD_H, 3·tw - PAD_W), zero outside the image. One invocation per
// tile and 4 channels: branch-free texel reads (clamped, then selected; one per cell when x
// is channels-last, else 4), one vec4 store per position ξ < 25.
#include "common.glsl"
#include "winograd_common.glsl"
#include "winograd_f33.glsl"
#include "winograd_input_fetch.glsl"
layout(std430, binding = 1) writeonly buffer V { vec4 v[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= tiles() * (C / 4u)) return;
  const uint t = id / (C / 4u), c0 = (id % (C / 4u)) * 4u;
  const uint tw = t % TW, th = (t / TW) % TH, n = t / (TW * TH);
  const int y0 = int(3u * th) - int(PAD_H), x0 = int(3u * tw) - int(PAD_W);
  vec4 d[25];
  for (uint i = 0u; i < 5u; ++i) {
    const int yy = y0 + int(i);
    for (uint j = 0u; j < 5u; ++j) d[5u * i + j] = input_quad(n, c0, yy, x0 + int(j));
  }
  winograd33_input(d);
  const uint T = tiles();
  for (uint xi = 0u; xi < 25u; ++xi) v[((xi * T + t) * C + c0) >> 2u] = d[xi];
}
