#version 450
#extension GL_GOOGLE_include_directive : require
// Max pool backward as a gather: each input cell sums dy over the outputs whose window contains
// it and whose argmax chose it. Overlapping windows (stride < kernel) need no atomics, and every
// dx element is written (0 where no window chose it). One invocation per input cell.
#include "common.glsl"
#include "pool_common.glsl"

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) readonly buffer Argmax { int argmax[]; };
layout(std430, binding = 2) writeonly buffer DX { float dx[]; };

void main() {
  const uint i = global_index_1d();
  if (i >= p.planes * p.H * p.W) return;
  const uint cell = i % (p.H * p.W), plane = i / (p.H * p.W);
  const uint h = cell / p.W, w = cell % p.W;
  int oh0, oh1, ow0, ow1;
  covering_outputs(h, p.sh, p.ph, p.kh, p.OH, oh0, oh1);
  covering_outputs(w, p.sw, p.pw, p.kw, p.OW, ow0, ow1);
  const uint base = plane * p.OH * p.OW;
  float acc = 0.0;
  for (int oh = oh0; oh <= oh1; ++oh)
    for (int ow = ow0; ow <= ow1; ++ow) {
      const uint o = base + uint(oh) * p.OW + uint(ow);
      if (argmax[o] == int(cell)) acc += dy[o];
    }
  dx[i] = acc;
}
