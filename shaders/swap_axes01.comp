#version 450
#extension GL_GOOGLE_include_directive : require
// out (B, A, L) = in (A, B, L) with the first two axes swapped: NCHW <-> CNHW for the
// convolution's GEMMs, whose natural output is one row per channel.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer In { float src[]; };
layout(std430, binding = 1) writeonly buffer Out { float dst[]; };
layout(push_constant) uniform Push {
  uint A, B, L;
} p;

void main() {
  const uint id = global_index_1d();  // index into dst
  if (id >= p.A * p.B * p.L) return;
  const uint l = id % p.L, a = (id / p.L) % p.A, b = id / (p.L * p.A);
  dst[id] = src[(a * p.B + b) * p.L + l];
}
