#version 450
#extension GL_GOOGLE_include_directive : require
// y = a * x + y over n floats. The runtime's smallest real kernel, for the runtime's own tests
// (streams, timestamps, barriers); a test shader, not in the shipped binary.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint n;
  float a;
} p;

void main() {
  const uint i = global_index_1d();
  if (i < p.n) y[i] = p.a * x[i] + y[i];
}
