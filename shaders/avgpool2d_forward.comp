#version 450
#extension GL_GOOGLE_include_directive : require
// Average pool: y = (sum of the real cells of the window) / (kh*kw); the divisor counts padded
// cells (count_include_pad). One invocation per output.
#include "common.glsl"
#include "pool_common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };

void main() {
  const uint o = global_index_1d();
  if (o >= p.planes * p.OH * p.OW) return;
  const uint ow = o % p.OW, oh = (o / p.OW) % p.OH, plane = o / (p.OW * p.OH);
  uint r0, r1, s0, s1;
  window_range(oh, p.sh, p.ph, p.kh, p.H, r0, r1);
  window_range(ow, p.sw, p.pw, p.kw, p.W, s0, s1);
  const uint ih0 = oh * p.sh + r0 - p.ph, iw0 = ow * p.sw + s0 - p.pw;
  const uint base = plane * p.H * p.W;
  float acc = 0.0;
  for (uint ih = ih0; ih < ih0 + (r1 - r0); ++ih)
    for (uint iw = iw0; iw < iw0 + (s1 - s0); ++iw) acc += x[base + ih * p.W + iw];
  y[o] = acc * p.inv_area;
}
