#version 450
#extension GL_GOOGLE_include_directive : require
// col[(n, oh, ow)][(c, r, s)] = x[n, c, oh*sh - ph + r, ow*sw - pw + s] (0 outside the image).
// One invocation per (output pixel, input channel): it writes the R*S contiguous entries of
// that channel, sharing the index arithmetic. Columns past C*R*S (row padding) are zeroed by
// the c == 0 invocation so the GEMM may read whole vec4s.
#include "common.glsl"
#include "conv2d_common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Col { float col[]; };

void main() {
  const uint id = global_index_1d();
  const uint P = p.N * p.OH * p.OW;
  if (id >= P * p.C) return;
  const uint c = id % p.C, pix = id / p.C;
  const uint ow = pix % p.OW, oh = (pix / p.OW) % p.OH, n = pix / (p.OW * p.OH);
  const int ih0 = int(oh * p.sh) - int(p.ph), iw0 = int(ow * p.sw) - int(p.pw);
  const uint plane = (n * p.C + c) * p.H * p.W;
  uint dst = pix * p.ldcol + c * p.R * p.S;
  for (uint r = 0; r < p.R; ++r) {
    const int ih = ih0 + int(r);
    const bool row_in = ih >= 0 && ih < int(p.H);
    for (uint s = 0; s < p.S; ++s, ++dst) {
      const int iw = iw0 + int(s);
      col[dst] = row_in && iw >= 0 && iw < int(p.W) ? x[plane + uint(ih) * p.W + uint(iw)] : 0.0;
    }
  }
  if (c == 0)
    for (uint q = p.C * p.R * p.S; q < p.ldcol; ++q) col[pix * p.ldcol + q] = 0.0;
}
