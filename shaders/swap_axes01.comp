#version 450
#extension GL_GOOGLE_include_directive : require
// out (B, A, L) = in (A, B, L) with the first two axes swapped: NCHW <-> CNHW for the
// convolution's GEMMs. A 3-D grid (x: l, y: a, z: b) needs no integer division.
#include "common.glsl"

layout(binding = 0) uniform samplerBuffer src;  // R32F: one float per fetch
layout(std430, binding = 1) writeonly buffer Out { float dst[]; };
layout(push_constant) uniform Push {
  uint A, B, L;
} p;

void main() {
  const uint l = gl_GlobalInvocationID.x, a = gl_GlobalInvocationID.y, b = gl_GlobalInvocationID.z;
  if (l >= p.L) return;
  dst[(b * p.A + a) * p.L + l] = texelFetch(src, int((a * p.B + b) * p.L + l)).x;
}
