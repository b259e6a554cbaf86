// GEMM for GPUs, and the any-shape fallback: classic shared-memory tiling. A workgroup of
// WX x WY invocations computes a (WY*TM) x (WX*TN) block of C; each k-step of BK stages
// the matching panels of op(A) and op(B) in shared memory, so every global load is reused
// WX (or WY) times. Any M, N, K, lda, ldb and either transpose; loads are bounds-checked
// (gemm_scalar_operands.glsl), the epilogue is gemm_tile_store.glsl.
#include "common.glsl"

layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
#include "gemm_common.glsl"
layout(constant_id = 7) const uint BK = 16;

layout(std430, binding = 2) readonly buffer InBias { float bias[]; };

const uint BM = gl_WorkGroupSize.y * TM;
const uint BN = gl_WorkGroupSize.x * TN;
shared float As[BK * BM];  // As[k * BM + m]
shared float Bs[BK * BN];  // Bs[k * BN + n]

#include "gemm_scalar_operands.glsl"

// Consecutive invocations load consecutive addresses of whichever dimension is contiguous.
void load_a_panel(uint bm0, uint k0, uint tid, uint threads) {
  for (uint e = tid; e < BK * BM; e += threads) {
    const uint kk = TRANS_A ? e / BM : e % BK, mm = TRANS_A ? e % BM : e / BK;
    As[kk * BM + mm] = load_a(bm0 + mm, k0 + kk);
  }
}
void load_b_panel(uint bn0, uint k0, uint tid, uint threads) {
  for (uint e = tid; e < BK * BN; e += threads) {
    const uint kk = TRANS_B ? e % BK : e / BN, nn = TRANS_B ? e / BK : e % BN;
    Bs[kk * BN + nn] = load_b(k0 + kk, bn0 + nn);
  }
}

#include "gemm_tile_store.glsl"

void main() {
  const uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
  const uint threads = gl_WorkGroupSize.x * gl_WorkGroupSize.y;
  const uint tid = ty * gl_WorkGroupSize.x + tx;
  const uint bm0 = gl_WorkGroupID.y * BM, bn0 = gl_WorkGroupID.x * BN;

  float acc[TM][TN];
  for (uint i = 0; i < TM; ++i)
    for (uint j = 0; j < TN; ++j) acc[i][j] = 0.0;

  const uint k_stop = k_end();
  for (uint k0 = k_begin(); k0 < k_stop; k0 += BK) {
    load_a_panel(bm0, k0, tid, threads);
    load_b_panel(bn0, k0, tid, threads);
    barrier();  // the panels are complete before anyone reads them
    for (uint kk = 0; kk < BK; ++kk) {
      float av[TM], bv[TN];
      for (uint i = 0; i < TM; ++i) av[i] = As[kk * BM + ty * TM + i];
      for (uint j = 0; j < TN; ++j) bv[j] = Bs[kk * BN + tx * TN + j];
      for (uint i = 0; i < TM; ++i)
        for (uint j = 0; j < TN; ++j) acc[i][j] += av[i] * bv[j];
    }
    barrier();  // everyone is done reading before the next panels overwrite them
  }

  store_tile(acc, bm0 + ty * TM, bn0 + tx * TN);
}
