#version 450
#extension GL_GOOGLE_include_directive : require
// Global average pool backward: dx[plane, i] = dy[plane] / HW for every i. One invocation per
// dx element.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) writeonly buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint planes, hw;
  float inv_hw;  // 1 / hw
} p;

void main() {
  const uint i = global_index_1d();
  if (i >= p.planes * p.hw) return;
  dx[i] = dy[i / p.hw] * p.inv_hw;
}
