#version 450
#extension GL_GOOGLE_include_directive : require
// Portable twin of reduce_sum.comp for devices without subgroup arithmetic: the same
// contract, a shared-memory tree. The workgroup size must be a power of two <= 512.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Partial { float partial[]; };
layout(push_constant) uniform Push {
  uint n;
  uint per_group;
} p;

shared float sums[512];

void main() {
  const uint lid = gl_LocalInvocationID.x;
  const uint base = gl_WorkGroupID.x * p.per_group;
  const uint end = min(base + p.per_group, p.n);
  float acc = 0.0;
  for (uint i = base + lid; i < end; i += gl_WorkGroupSize.x) acc += x[i];
  sums[lid] = acc;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (lid < s) sums[lid] += sums[lid + s];
    barrier();
  }
  if (lid == 0) partial[gl_WorkGroupID.x] = sums[0];
}
