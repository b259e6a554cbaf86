#version 450
#extension GL_GOOGLE_include_directive : require
// col[row of (n, oh, ow)][(c, r, s)] = x[n, c, oh*SH - PH + r, ow*SW - PW + s] (0 outside the
// image); rows in the order conv2d_common.glsl describes, columns past C*R*S (row padding up
// to LDCOL, a multiple of 4) zero but the first, which is 1: a product with it sums the other
// operand's rows (the bias gradient of a first pooled layer, nn/ops/conv2d.cpp), and the
// forward product multiplies it by the weights' zero padding. One invocation per row, written as vec4s: on lavapipe each
// storage store is a per-lane loop, so a vec4 store costs about what a float store does, and
// the row's index arithmetic is shared; the fetches are branch-free texel reads.
#include "common.glsl"
#include "conv2d_common.glsl"

layout(binding = 0) uniform samplerBuffer x;  // R32F: one float per fetch
layout(std430, binding = 1) writeonly buffer Col { vec4 col4[]; };

void main() {
  const uint row = global_index_1d();
  if (row >= col_rows()) return;
  uint n, oh, ow;
  row_pixel(row, n, oh, ow);
  const int ih0 = int(oh * SH) - int(PH), iw0 = int(ow * SW) - int(PW);
  for (uint q = 0u; q < LDCOL / 4u; ++q) {
    vec4 v;
    for (uint t = 0u; t < 4u; ++t) {
      // (c, r, s) of column 4q + t from divisions by constants (multiplies), not counters
      // carried from one iteration to the next: on llvmpipe a variable a loop changes lives in
      // memory, blended with the loop's mask at every step, and each `if` runs masked.
      const uint column = 4u * q + t, c = column / (R * S), rs = column % (R * S), r = rs / S, s = rs % S;
      const int ih = ih0 + int(r), iw = iw0 + int(s);
      const bool inside = c < C && ih >= 0 && ih < int(H) && iw >= 0 && iw < int(W);
      // Fetch unconditionally (clamped in range) and select: branch-free on SIMD lanes.
      const uint src = image_index(n, min(c, C - 1u), uint(clamp(ih, 0, int(H) - 1)), uint(clamp(iw, 0, int(W) - 1)));
      const float fetched = texelFetch(x, int(src)).x;  // outside the select: no branch around it
      v[t] = inside ? fetched : (column == C * R * S ? 1.0 : 0.0);
    }
    col4[row * (LDCOL / 4u) + q] = v;
  }
}
