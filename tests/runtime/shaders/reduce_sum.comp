#version 450
#extension GL_GOOGLE_include_directive : require
// Partial sums: each workgroup adds `per_group` consecutive floats of `x` starting at its
// slice and writes one float to partial[group]. Run twice (n -> groups -> 1) for a full sum.
// Uses subgroupAdd: on lavapipe 4-5x faster than a shared-memory tree (shared/LAVAPIPE.md).
// Only for devices whose subgroups support arithmetic; reduce_sum_shared is the fallback.
// A test shader (the runtime's subgroup and shared-memory reductions), not shipped.
#extension GL_KHR_shader_subgroup_arithmetic : require
#include "common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Partial { float partial[]; };
layout(push_constant) uniform Push {
  uint n;
  uint per_group;  // elements summed by one workgroup, a multiple of the workgroup size
} p;

shared float subgroup_sums[64];  // one per subgroup; subgroups are at least 8 wide, groups <= 512

void main() {
  const uint base = gl_WorkGroupID.x * p.per_group;
  const uint end = min(base + p.per_group, p.n);
  float acc = 0.0;
  for (uint i = base + gl_LocalInvocationID.x; i < end; i += gl_WorkGroupSize.x) acc += x[i];
  acc = subgroupAdd(acc);
  if (subgroupElect()) subgroup_sums[gl_SubgroupID] = acc;
  barrier();
  if (gl_LocalInvocationID.x == 0) {
    float total = 0.0;
    for (uint s = 0; s < gl_NumSubgroups; ++s) total += subgroup_sums[s];
    partial[gl_WorkGroupID.x] = total;
  }
}
