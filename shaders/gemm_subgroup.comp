#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
// GEMM for GPUs with subgroup shuffle: register tiling without shared memory or barriers.
// A workgroup of WX x WY invocations computes a (WY*TM) x (WX*TN) block of C, each invocation
// a TM x TN block. The host makes WX the device's subgroup size, so each row of the workgroup
// is meant to be one subgroup: its WX lanes need the same TM rows of op(A), so for a k-step of
// WX, lane l loads op(A)(rows, k0 + l) (one coalesced load per row) and the lanes pass them
// round by subgroupShuffle; op(B) is read straight from memory, each lane its own TN columns,
// reused over TM rows in registers.
//
// Which invocation computes which block follows the subgroups (gl_SubgroupID,
// gl_SubgroupInvocationID), not gl_LocalInvocationID, since Vulkan does not say how the two
// map. Where the subgroups turn out not to be WY full rows of WX lanes (a device whose
// subgroup size varies, or a forced shape), every lane loads its own op(A) instead: slower,
// still correct. Any M, N, K, lda, ldb and either transpose; loads are bounds-checked.
#include "common.glsl"

layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
#include "gemm_common.glsl"
#include "gemm_scalar_operands.glsl"
layout(std430, binding = 2) readonly buffer InBias { float bias[]; };
#include "gemm_tile_store.glsl"

const uint WX = gl_WorkGroupSize.x, WY = gl_WorkGroupSize.y;

void main() {
  // Uniform over the workgroup: either every row is a full subgroup or none is relied on.
  const bool rows_are_subgroups = gl_SubgroupSize == WX && gl_NumSubgroups == WY;
  const uint tx = rows_are_subgroups ? gl_SubgroupInvocationID : gl_LocalInvocationID.x;
  const uint ty = rows_are_subgroups ? gl_SubgroupID : gl_LocalInvocationID.y;
  const uint m0 = gl_WorkGroupID.y * WY * TM + ty * TM, n0 = gl_WorkGroupID.x * WX * TN + tx * TN;

  float acc[TM][TN];
  for (uint i = 0; i < TM; ++i)
    for (uint j = 0; j < TN; ++j) acc[i][j] = 0.0;

  // Lanes past M or N still take part: their loads read 0 and their shuffles feed the others.
  const uint k_stop = k_end();
  for (uint k0 = k_begin(); k0 < k_stop; k0 += WX) {
    float a_mine[TM];
    for (uint i = 0; i < TM; ++i) a_mine[i] = rows_are_subgroups ? load_a(m0 + i, k0 + tx) : 0.0;
    const uint steps = min(WX, k_stop - k0);
    for (uint kk = 0; kk < steps; ++kk) {
      float av[TM], bv[TN];
      for (uint i = 0; i < TM; ++i)
        av[i] = rows_are_subgroups ? subgroupShuffle(a_mine[i], kk) : load_a(m0 + i, k0 + kk);
      for (uint j = 0; j < TN; ++j) bv[j] = load_b(k0 + kk, n0 + j);
      for (uint i = 0; i < TM; ++i)
        for (uint j = 0; j < TN; ++j) acc[i][j] += av[i] * bv[j];
    }
  }

  store_tile(acc, m0, n0);
}
