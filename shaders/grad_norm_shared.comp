#version 450
#extension GL_GOOGLE_include_directive : require
// Portable twin of grad_norm.comp for devices without subgroup arithmetic: the same contract
// (optim_reduce.glsl), each workgroup summed by a shared-memory tree. The workgroup size must
// be a power of two <= 512.
#include "common.glsl"

shared float sums[512];

float workgroup_sum(float x) {
  const uint lid = gl_LocalInvocationID.x;
  sums[lid] = x;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2u; s > 0u; s >>= 1u) {
    if (lid < s) sums[lid] += sums[lid + s];
    barrier();
  }
  return sums[0];
}

#include "optim_reduce.glsl"
