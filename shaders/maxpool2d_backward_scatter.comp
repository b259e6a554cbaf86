#version 450
#extension GL_GOOGLE_include_directive : require
// Max pool backward for windows that do not overlap (stride >= window, as the seed models'
// 2x2 stride 2): each output sends its dy to the one input cell its argmax chose. No two
// outputs choose the same cell, so plain stores suffice; dx is zero-filled first (a transfer),
// since cells no window chose get no gradient. A quarter of the invocations of the gather in
// maxpool2d_backward.comp, and none of its window search.
#include "common.glsl"
#include "pool_common.glsl"

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) readonly buffer Argmax { int argmax[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };

void main() {
  const uint o = global_index_1d();
  if (o >= p.planes * p.OH * p.OW) return;
  const uint plane = o / (p.OH * p.OW);
  dx[plane * p.H * p.W + uint(argmax[o])] = dy[o];
}
