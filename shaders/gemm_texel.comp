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
  for (uint k = 0; k < p.K; k += 4) {
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

  for (uint i = 0; i < TM; ++i) {
    const uint m = m0 + i;
    if (m >= p.M) break;
    const float row_bias = p.bias_mode == 2u ? texelFetch(Bias, int(m >> 2))[m & 3u] : 0.0;
    for (uint j = 0; j < TN; ++j) {
      const uint n = n0 + j;
      if (n >= p.N) break;
      const float col_bias = p.bias_mode == 1u ? texelFetch(Bias, int(n >> 2))[n & 3u] : 0.0;
      c[m * p.ldc + n] = epilogue(acc[i][j], m, n, row_bias + col_bias);
    }
  }
}
