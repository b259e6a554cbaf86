// Shared by the batch-norm kernels (nn/ops/batchnorm.hpp). Data is (N, C, HW): batch norm 1d
// is HW = 1. Statistics are per channel over the M = N HW values x[(n C + c) HW + i].
//
// The per-channel kernels run one workgroup per channel (gl_WorkGroupID.x = c). Invocation
// `lid` visits the channel's values j = lid, lid + WG, lid + 2 WG, ... (j = n HW + i), walking a
// cursor (n, i) instead of dividing per element.
//
// bn_sum2() sums a vec2 over the workgroup and returns the total to every invocation: with
// subgroupAdd when the including .comp defines BN_SUBGROUP (it must also enable
// GL_KHR_shader_subgroup_arithmetic before any code), else with a shared-memory tree (the
// workgroup size must then be a power of two <= 256). Elementwise kernels define
// BN_ELEMENTWISE before including and get only the push constants.

layout(push_constant) uniform Push {
  uint N, C, HW;
  float eps;       // added to the variance
  float momentum;  // running-statistics update weight (training forward only)
} p;

#ifndef BN_ELEMENTWISE
#ifdef BN_SUBGROUP
shared vec2 bn_partial[64];  // one per subgroup: subgroups are >= 8 wide and groups <= 512
vec2 bn_sum2(vec2 v) {
  v = subgroupAdd(v);
  if (subgroupElect()) bn_partial[gl_SubgroupID] = v;
  barrier();
  vec2 total = vec2(0.0);
  for (uint s = 0; s < gl_NumSubgroups; ++s) total += bn_partial[s];
  barrier();  // everyone has read bn_partial before a later call overwrites it
  return total;
}
#else
shared vec2 bn_partial[256];
vec2 bn_sum2(vec2 v) {
  const uint lid = gl_LocalInvocationID.x;
  bn_partial[lid] = v;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (lid < s) bn_partial[lid] += bn_partial[lid + s];
    barrier();
  }
  const vec2 total = bn_partial[0];
  barrier();
  return total;
}
#endif

// Cursor over one channel's values: start at j = lid, step by the workgroup size.
struct BnCursor {
  uint n, i;
};
BnCursor bn_start() {
  const uint lid = gl_LocalInvocationID.x;
  return BnCursor(lid / p.HW, lid % p.HW);
}
void bn_next(inout BnCursor cur) {
  cur.i += gl_WorkGroupSize.x % p.HW;
  cur.n += gl_WorkGroupSize.x / p.HW;
  if (cur.i >= p.HW) {
    cur.i -= p.HW;
    ++cur.n;
  }
}
uint bn_addr(BnCursor cur, uint c) { return (cur.n * p.C + c) * p.HW + cur.i; }
#endif  // BN_ELEMENTWISE
