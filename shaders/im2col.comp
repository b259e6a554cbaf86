#version 450
#extension GL_GOOGLE_include_directive : require
// col[row of (n, oh, ow)][(c, r, s)] = x[n, c, oh*SH - PH + r, ow*SW - PW + s] (0 outside the
// image); rows in the order conv2d_common.glsl describes. One invocation per (row, input channel): it writes the R*S contiguous entries of
// that channel, sharing the index arithmetic. Columns past C*R*S (row padding) are zeroed by
// the c == 0 invocation so the GEMM may read whole vec4s.
#include "common.glsl"
#include "conv2d_common.glsl"

layout(binding = 0) uniform samplerBuffer x;  // R32F: one float per fetch
layout(std430, binding = 1) writeonly buffer Col { float col[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= col_rows() * C) return;
  const uint c = id % C, pix = id / C;
  uint n, oh, ow;
  row_pixel(pix, n, oh, ow);
  const int ih0 = int(oh * SH) - int(PH), iw0 = int(ow * SW) - int(PW);
  const uint plane = (n * C + c) * H * W;
  uint dst = pix * LDCOL + c * R * S;
  for (uint r = 0; r < R; ++r) {
    const int ih = ih0 + int(r);
    const bool row_in = ih >= 0 && ih < int(H);
    const uint row = plane + uint(clamp(ih, 0, int(H) - 1)) * W;
    for (uint s = 0; s < S; ++s, ++dst) {
      const int iw = iw0 + int(s);
      // Fetch unconditionally (clamped in range) and select: branch-free on SIMD lanes.
      const float v = texelFetch(x, int(row + uint(clamp(iw, 0, int(W) - 1)))).x;
      col[dst] = row_in && iw >= 0 && iw < int(W) ? v : 0.0;
    }
  }
  if (c == 0)
    for (uint q = C * R * S; q < LDCOL; ++q) col[pix * LDCOL + q] = 0.0;
}
