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

// Stores vec4 `value` at vec4 index `index` of buffer `buf`; with UNIFORM_STORE_U64 (the *_u64
// twins, on devices with shaderInt64) through `buf`64, a u64vec2 view of the same binding: each
// component store costs about the same, so two floats per store are half the stores
// (microbenchmark, one thread: 9 -> 6 JIT instructions per float).
#ifdef UNIFORM_STORE_U64
#define UNIFORM_STORE_VEC4(buf, index, value)                                     \
  {                                                                               \
    const uvec4 bits_ = floatBitsToUint(value);                                   \
    buf##64[index] = u64vec2(packUint2x32(bits_.xy), packUint2x32(bits_.zw));    \
  }
#else
#define UNIFORM_STORE_VEC4(buf, index, value) buf[index] = (value);
#endif

// gl_WorkGroupID.x (< 65536) as a uniform value.
uint uniform_workgroup() {
  const uint v = gl_WorkGroupID.x;
  return ((p.ident[(v >> 12u) & 15u] * 16u + p.ident[(v >> 8u) & 15u]) * 16u + p.ident[(v >> 4u) & 15u]) * 16u +
         p.ident[v & 15u];
}

// This invocation's index in a 1-D grid of `count` (false: past the end, nothing to do). With
// `uniform_grid` (a specialization constant, so the test compiles away) the grid is exact, in
// 8-invocation workgroups, and the index needs no range test.
bool grid_index(bool uniform_grid, uint count, out uint id) {
  if (uniform_grid) {
    id = gl_WorkGroupID.x * 8u + gl_LocalInvocationID.x;
    return true;
  }
  id = global_index_1d();
  return id < count;
}

// The subgroup's first grid index as a uniform value, split into its `per`-sized group and
// its position in it (where `per` is a multiple of 8, the subgroup's 8 lanes are positions
// first .. first + 7 of one group).
void uniform_first(uint per, out uint group, out uint pos) {
  const uint first = uniform_workgroup() * 8u;
  group = first / per;
  pos = first % per;
}
