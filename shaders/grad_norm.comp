#version 450
#extension GL_GOOGLE_include_directive : require
// Squared-norm / penalty reductions for the optimizer step (optim_reduce.glsl), summing each
// workgroup with subgroupAdd: on lavapipe 4-5x faster than a shared-memory tree
// (shared/LAVAPIPE.md). Only for devices with subgroup arithmetic; grad_norm_shared is the
// portable twin.
#extension GL_KHR_shader_subgroup_arithmetic : require
#include "common.glsl"

shared float subgroup_sums[64];  // one per subgroup: groups <= 512, subgroups >= 8 wide

float workgroup_sum(float x) {
  x = subgroupAdd(x);
  if (subgroupElect()) subgroup_sums[gl_SubgroupID] = x;
  barrier();
  float total = 0.0;
  if (gl_LocalInvocationID.x == 0u)
    for (uint s = 0u; s < gl_NumSubgroups; ++s) total += subgroup_sums[s];
  return total;
}

#include "optim_reduce.glsl"
