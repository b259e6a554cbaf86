#version 450
#extension GL_GOOGLE_include_directive : require
// GEMM for GPUs, and the any-shape fallback: classic shared-memory tiling. A workgroup of
// WX x WY invocations computes a (WY*TM) x (WX*TN) block of C; each k-step of BK stages
// the matching panels of op(A) and op(B) in shared memory, so every global load is reused
// WX (or WY) times. Any M, N, K, lda, ldb and either transpose; loads are bounds-checked.
#include "common.glsl"

layout(constant_id = 3) const uint TM = 4;
layout(constant_id = 4) const uint TN = 4;
#include "gemm_common.glsl"
layout(constant_id = 7) const uint BK = 16;

layout(std430, binding = 0) readonly buffer InA { float a[]; };
layout(std430, binding = 1) readonly buffer InB { float b[]; };
layout(std430, binding = 2) readonly buffer InBias { float bias[]; };

const uint BM = gl_WorkGroupSize.y * TM;
const uint BN = gl_WorkGroupSize.x * TN;
shared float As[BK * BM];  // As[k * BM + m]
shared float Bs[BK * BN];  // Bs[k * BN + n]

float load_a(uint m, uint k) {
  if (m >= p.M || k >= k_end()) return 0.0;
  return TRANS_A ? a[BATCH_Z * p.batch_a + k * p.lda + m] : a[BATCH_Z * p.batch_a + m * p.lda + k];
}
float load_b(uint k, uint n) {
  if (k >= k_end() || n >= p.N) return 0.0;
  return TRANS_B ? b[BATCH_Z * p.batch_b + n * p.ldb + k] : b[BATCH_Z * p.batch_b + k * p.ldb + n];
}

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
    // Consecutive invocations load consecutive addresses of whichever dimension is contiguous.
    for (uint e = tid; e < BK * BM; e += threads) {
      const uint kk = TRANS_A ? e / BM : e % BK, mm = TRANS_A ? e % BM : e / BK;
      As[kk * BM + mm] = load_a(bm0 + mm, k0 + kk);
    }
    for (uint e = tid; e < BK * BN; e += threads) {
      const uint kk = TRANS_B ? e % BK : e / BN, nn = TRANS_B ? e / BK : e % BN;
      Bs[kk * BN + nn] = load_b(k0 + kk, bn0 + nn);
    }
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

  for (uint i = 0; i < TM; ++i) {
    const uint m = bm0 + ty * TM + i;
    if (m >= p.M) break;
    CColumns cc = c_columns(m, bn0 + tx * TN);
    for (uint j = 0; j < TN; ++j, c_next(cc)) {
      const uint n = bn0 + tx * TN + j;
      if (n >= p.N) break;
      const float bias_value = p.bias_mode == 1u ? bias[n] : (p.bias_mode == 2u ? bias[m] : 0.0);
      c[cc.base] = epilogue(acc[i][j], cc.base, bias_value);
    }
  }
}
