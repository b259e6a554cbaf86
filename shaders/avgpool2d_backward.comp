#version 450
#extension GL_GOOGLE_include_directive : require
// Average pool backward as a gather: dx = (sum of dy over the windows containing the cell) /
// (kh*kw). No atomics for overlapping windows; every dx element is written. One invocation per
// input cell.
#include "common.glsl"
#include "pool_common.glsl"

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) writeonly buffer DX { float dx[]; };

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
    for (int ow = ow0; ow <= ow1; ++ow) acc += dy[base + uint(oh) * p.OW + uint(ow)];
  dx[i] = acc * p.inv_area;
}
