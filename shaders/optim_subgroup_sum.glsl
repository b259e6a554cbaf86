// workgroup_sum() by subgroupAdd for grad_norm.comp and grad_norm_texel.comp (needs
// GL_KHR_shader_subgroup_arithmetic). The total is valid in invocation 0.

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
