#version 450
#extension GL_GOOGLE_include_directive : require
// Global average pool: y[plane] = mean of the plane's HW values, x (planes, HW). One invocation
// per plane, four partial sums (shorter fp32 chains, independent adds).
#include "common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint planes, hw;
  float inv_hw;  // 1 / hw
} p;

void main() {
  const uint plane = global_index_1d();
  if (plane >= p.planes) return;
  const uint base = plane * p.hw;
  vec4 acc = vec4(0.0);
  uint i = 0;
  for (; i + 4 <= p.hw; i += 4)
    acc += vec4(x[base + i], x[base + i + 1], x[base + i + 2], x[base + i + 3]);
  for (; i < p.hw; ++i) acc.x += x[base + i];
  y[plane] = ((acc.x + acc.y) + (acc.z + acc.w)) * p.inv_hw;
}
