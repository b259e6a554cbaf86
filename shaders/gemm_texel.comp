#version 450
#extension GL_GOOGLE_include_directive : require
// GEMM for CPU Vulkan drivers (lavapipe): register tiling, no shared memory. Each invocation
// owns a TM x TN block of C in registers; A and B are read through RGBA32F texel buffers,
// 4 floats per fetch, all fetches of a 4-deep k-step issued before the arithmetic.
// Why: on llvmpipe texelFetch is branch-free while storage/shared loads become per-lane
// bounds-checked loops, and each barrier() is a coroutine switch (shared/LAVAPIPE.md).
// Needs every row to start on a vec4: lda, ldb multiple of 4, and K a multiple of 4 for a
// K-contiguous operand (A, or B when TRANS_B). An M- or N-contiguous operand may have any M/N:
// its last vec4 reaches into the row padding or the buffer's 16-byte tail, never past it.
// nn/ops/gemm.cpp checks and otherwise uses gemm_tiled.comp.
#include "common.glsl"

layout(constant_id = 3) const uint TM = 8;  // rows of C per invocation, a multiple of 4
layout(constant_id = 4) const uint TN = 8;  // columns of C per invocation, a multiple of 4
#include "gemm_common.glsl"

layout(binding = 0) uniform samplerBuffer A;
layout(binding = 1) uniform samplerBuffer B;
layout(binding = 2) uniform samplerBuffer Bias;  // read only when bias_mode != 0
// The same C as gemm_common.glsl's c[], seen as vec4s: a row of 4 outputs in one store where
// it is aligned (storage stores are per-lane loops on llvmpipe; one vec4 store is one loop).
layout(std430, binding = 3) buffer OutVec4 { vec4 c4[]; };

void main() {
  const uint n0 = gl_GlobalInvocationID.x * TN;
  const uint m0 = gl_GlobalInvocationID.y * TM;
  if (m0 >= p.M || n0 >= p.N) return;
  const uint m_last4 = ((p.M + 3) & ~3u) - 4;  // last vec4-aligned column start of an M-contiguous row
  const uint n_last4 = ((p.N + 3) & ~3u) - 4;

  float acc[TM][TN];
  for (uint i = 0; i < TM; ++i)
    for (uint j = 0; j < TN; ++j) acc[i][j] = 0.0;

  vec4 a[TM];  // !TRANS_A: a[i] = A[m0+i][k..k+3];  TRANS_A: a[4*kk + v] = A[k+kk][m0+4v..]
  vec4 b[TN];  // TRANS_B:  b[j] = B[n0+j][k..k+3];   !TRANS_B: b[4*kk + v] = B[k+kk][n0+4v..]
  const uint k_stop = k_end();
  for (uint k = k_begin(); k < k_stop; k += 4) {
    // Fetch phase. Rows past M/N are clamped to the last row (valid memory, discarded at the
    // store); k rows past K (only possible when K is not the contiguous dimension) are zeroed.
    if (!TRANS_A) {
      for (uint i = 0; i < TM; ++i) a[i] = texelFetch(A, int((min(m0 + i, p.M - 1) * p.lda + k) >> 2));
    } else {
      for (uint kk = 0; kk < 4; ++kk)
        for (uint v = 0; v < TM / 4; ++v) {
          const uint row = min(k + kk, p.K - 1), col = min(m0 + 4 * v, m_last4);
          a[(kk * TM / 4 + v) % TM] = texelFetch(A, int((row * p.lda + col) >> 2)) * float(k + kk < p.K);
        }
    }
    if (TRANS_B) {
      for (uint j = 0; j < TN; ++j) b[j] = texelFetch(B, int((min(n0 + j, p.N - 1) * p.ldb + k) >> 2));
    } else {
      for (uint kk = 0; kk < 4; ++kk)
        for (uint v = 0; v < TN / 4; ++v) {
          const uint row = min(k + kk, p.K - 1), col = min(n0 + 4 * v, n_last4);
          b[(kk * TN / 4 + v) % TN] = texelFetch(B, int((row * p.ldb + col) >> 2)) * float(k + kk < p.K);
        }
    }
    // Arithmetic phase: 4 k-steps of TM x TN multiply-adds from registers.
    for (uint kk = 0; kk < 4; ++kk)
      for (uint i = 0; i < TM; ++i) {
        const float av = TRANS_A ? a[(kk * TM / 4 + i / 4) % TM][i % 4] : a[i][kk];
        for (uint j = 0; j < TN; ++j) {
          const float bv = TRANS_B ? b[j][kk] : b[(kk * TN / 4 + j / 4) % TN][j % 4];
          acc[i][j] += av * bv;
        }
      }
  }

  // Whole vec4 stores when every row of this block starts on a vec4 and is full.
  const bool vec4_rows = (p.c_block == 0u ? p.ldc % 4u == 0u : p.c_block % 4u == 0u) && p.split_stride % 4u == 0u &&
                         n0 + TN <= p.N;
  for (uint i = 0; i < TM; ++i) {
    const uint m = m0 + i;
    if (m >= p.M) break;
    const float row_bias = p.bias_mode == 2u ? texelFetch(Bias, int(m >> 2))[m & 3u] : 0.0;
    CColumns cc = c_columns(m, n0);
    if (vec4_rows) {
      for (uint v = 0; v < TN / 4; ++v) {
        const uint n = n0 + 4 * v;
        const uint index = cc.base;  // c_block % 4 == 0: a vec4 never straddles two blocks
        vec4 bias4 = vec4(row_bias);
        if (p.bias_mode == 1u) bias4 += texelFetch(Bias, int(n >> 2));
        vec4 r = p.alpha * vec4(acc[i][4 * v], acc[i][4 * v + 1], acc[i][4 * v + 2], acc[i][4 * v + 3]);
        if (p.beta != 0.0) r += p.beta * c4[index >> 2];
        r += bias4;
        if (p.relu != 0u) r = max(r, vec4(0.0));
        c4[index >> 2] = r;
        for (uint k = 0; k < 4; ++k) c_next(cc);
      }
      continue;
    }
    for (uint j = 0; j < TN; ++j, c_next(cc)) {
      const uint n = n0 + j;
      if (n >= p.N) break;
      const float col_bias = p.bias_mode == 1u ? texelFetch(Bias, int(n >> 2))[n & 3u] : 0.0;
      c[cc.base] = epilogue(acc[i][j], cc.base, row_bias + col_bias);
    }
  }
}
