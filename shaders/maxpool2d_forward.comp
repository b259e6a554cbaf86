#version 450
#extension GL_GOOGLE_include_directive : require
// Max pool: y = max over the window, argmax = index of the chosen cell in its input plane
// (h*W + w). Padded cells are never chosen; ties go to the first maximum in row-major window
// order (replace only on >), as tests/reference/pool.hpp specifies. One invocation per output.
#include "common.glsl"
#include "pool_common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Argmax { int argmax[]; };

void main() {
  const uint o = global_index_1d();
  if (o >= p.planes * p.OH * p.OW) return;
  const uint ow = o % p.OW, oh = (o / p.OW) % p.OH, plane = o / (p.OW * p.OH);
  uint r0, r1, s0, s1;
  window_range(oh, p.sh, p.ph, p.kh, p.H, r0, r1);
  window_range(ow, p.sw, p.pw, p.kw, p.W, s0, s1);
  const uint ih0 = oh * p.sh + r0 - p.ph, iw0 = ow * p.sw + s0 - p.pw;  // first real cell
  const uint base = plane * p.H * p.W;
  // The first real cell seeds the scan, so a -inf input is still chosen (never the padding).
  int best_i = int(ih0 * p.W + iw0);
  float best = x[base + uint(best_i)];
  for (uint ih = ih0; ih < ih0 + (r1 - r0); ++ih)
    for (uint iw = iw0; iw < iw0 + (s1 - s0); ++iw) {
      const uint i = ih * p.W + iw;
      const float v = x[base + i];
      if (v > best) {
        best = v;
        best_i = int(i);
      }
    }
  y[o] = best;
  argmax[o] = best_i;
}
