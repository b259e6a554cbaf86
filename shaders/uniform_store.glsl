// Stores at addresses llvmpipe sees as uniform (used where nn/ops says UNIFORM_STORE).
// llvmpipe (Mesa 22.3, lp_bld_nir_soa.c) turns a storage-buffer store into a loop over the 8
// SIMD lanes, with a bounds check per float, unless the address is built only from push
// constants and literals and the store sits outside any branch or loop: then it stores lane 0's
// value, once. A workgroup of exactly one subgroup (8 lanes) reads its ID back through the
// push-constant table p.ident (0..15, a nibble at a time): the value is the same, but a push-
// constant load counts as uniform. (Push-constant arrays may only be indexed with dynamically
// uniform values: a workgroup ID is one when the workgroup is one subgroup.) Each lane's value
// then goes to every lane by subgroupShuffle with a constant lane, one vector permute, and the
// 8 lanes' vec4s are stored side by side at uniform addresses. The including shader declares
// `uint ident[16]` in its push block `p`, and dispatches a 1-D grid of 8-invocation workgroups.
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_EXT_control_flow_attributes : require

// gl_WorkGroupID.x (< 65536) as a uniform value.
uint uniform_workgroup() {
  const uint v = gl_WorkGroupID.x;
  return ((p.ident[(v >> 12u) & 15u] * 16u + p.ident[(v >> 8u) & 15u]) * 16u + p.ident[(v >> 4u) & 15u]) * 16u +
         p.ident[v & 15u];
}
