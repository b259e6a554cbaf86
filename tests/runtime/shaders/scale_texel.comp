#version 450
#extension GL_GOOGLE_include_directive : require
// y[i] = a * x[i], reading x through an RGBA32F uniform texel buffer (4 floats per fetch).
// The runtime's texel-binding test; the pattern the fast lavapipe kernels use for inputs.
#include "common.glsl"

layout(binding = 0) uniform samplerBuffer X;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint n;
  float a;
} p;

void main() {
  const uint i = global_index_1d();  // one vec4 per invocation
  if (4 * i >= p.n) return;
  const vec4 v = texelFetch(X, int(i)) * p.a;
  for (uint k = 0; k < 4 && 4 * i + k < p.n; ++k) y[4 * i + k] = v[k];
}
