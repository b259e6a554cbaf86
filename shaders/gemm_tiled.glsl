// GEMM for GPUs, and the any-shape fallback: classic shared-memory tiling. A workgroup of
// WX x WY invocations computes a (WY*TM) x (WX*TN) block of C; each k-step of BK stages
// the matching panels of op(A) and op(B) in shared memory, so every global load is reused
// WX (or WY) times. Two ways to load the panels (shaders/variants.cmake):
//   gemm_tiled       one bounds-checked float per load (gemm_scalar_operands.glsl): any M, N,
//                    K, lda, ldb and either transpose.
//   gemm_tiled_vec4  (GEMM_TILED_VEC4) one vec4 per load along each operand's contiguous
//                    dimension, a quarter of the load instructions. Needs lda, ldb and the
//                    batch strides multiples of 4, operands bound at 16-byte offsets and BM, BN
//                    multiples of 4 (nn/ops/gemm.cpp, vec4_gemm_ok); any M, N, K: a quad that
//                    reaches past the product's edge is read one float at a time.
// The multiply-adds and the epilogue (gemm_tile_store.glsl) are the same for both.
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

#ifdef GEMM_TILED_VEC4
layout(std430, binding = 0) readonly buffer InA { vec4 a4[]; };
layout(std430, binding = 1) readonly buffer InB { vec4 b4[]; };

// The four floats of an operand from float index i (a multiple of 4) on, of which the first
// `left` belong to the product: one vec4 load when all four do, else one float at a time (the
// rest 0), so nothing past the operand's last float is read.
#define GEMM_QUAD_READER(NAME, BUF)                            \
  vec4 NAME(uint i, uint left) {                               \
    if (left >= 4u) return BUF[i / 4u];                        \
    vec4 v = vec4(0.0);                                        \
    for (uint c = 0u; c < left; ++c) v[c] = BUF[i / 4u][c];    \
    return v;                                                  \
  }
GEMM_QUAD_READER(a_quad, a4)
GEMM_QUAD_READER(b_quad, b4)

// Consecutive invocations load consecutive quads of whichever dimension is contiguous: k for
// an M x K A, m for a K x M one.
void load_a_panel(uint bm0, uint k0, uint tid, uint threads) {
  const uint kend = k_end(), base = BATCH_Z * p.batch_a;
  for (uint e = tid; e < BK * BM / 4u; e += threads) {
    if (TRANS_A) {
      const uint kk = e / (BM / 4u), mm = e % (BM / 4u) * 4u, k = k0 + kk, m = bm0 + mm;
      const vec4 v = k < kend && m < p.M ? a_quad(base + k * p.lda + m, p.M - m) : vec4(0.0);
      for (uint c = 0u; c < 4u; ++c) As[kk * BM + mm + c] = v[c];
    } else {
      const uint mm = e / (BK / 4u), kk = e % (BK / 4u) * 4u, m = bm0 + mm, k = k0 + kk;
      const vec4 v = m < p.M && k < kend ? a_quad(base + m * p.lda + k, kend - k) : vec4(0.0);
      for (uint c = 0u; c < 4u; ++c) As[(kk + c) * BM + mm] = v[c];
    }
  }
}
// n for a K x N B, k for an N x K one.
void load_b_panel(uint bn0, uint k0, uint tid, uint threads) {
  const uint kend = k_end(), base = BATCH_Z * p.batch_b;
  for (uint e = tid; e < BK * BN / 4u; e += threads) {
    if (TRANS_B) {
      const uint nn = e / (BK / 4u), kk = e % (BK / 4u) * 4u, n = bn0 + nn, k = k0 + kk;
      const vec4 v = n < p.N && k < kend ? b_quad(base + n * p.ldb + k, kend - k) : vec4(0.0);
      for (uint c = 0u; c < 4u; ++c) Bs[(kk + c) * BN + nn] = v[c];
    } else {
      const uint kk = e / (BN / 4u), nn = e % (BN / 4u) * 4u, k = k0 + kk, n = bn0 + nn;
      const vec4 v = k < kend && n < p.N ? b_quad(base + k * p.ldb + n, p.N - n) : vec4(0.0);
      for (uint c = 0u; c < 4u; ++c) Bs[kk * BN + nn + c] = v[c];
    }
  }
}
#else
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
#endif

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
