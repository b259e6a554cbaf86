// Shared by the GEMM shaders: C = alpha * op(A) * op(B) + beta * C + bias.
//   op(A) is M x K: A stored M x K row-major (lda >= K), or K x M when TRANS_A (lda >= M).
//   op(B) is K x N: B stored K x N row-major (ldb >= N), or N x K when TRANS_B (ldb >= K).
//   C is M x N row-major (ldc >= N). bias_mode 0: none, 1: bias[n] per column, 2: bias[m] per row.
// beta == 0 never reads C (it may hold NaN garbage); beta == 1 accumulates gradients.
// c_block L > 0 stores C "blocked" the way a convolution wants its output: element (m, n) goes
// to (n / L)·M·L + m·L + n % L, i.e. NCHW for (K channels) x (N images · L pixels).
// Split-K: split z sums k in [z·k_chunk, (z+1)·k_chunk) into its own slab of C, at
// z·split_stride; nn/ops/gemm.cpp adds the slabs (and applies alpha, beta, bias) afterwards.
// z is the workgroup's z, or with SPLIT_IN_X (texel kernel) the invocation's x modulo the
// split count: neighbouring SIMD lanes then take neighbouring splits of the same block, so a
// narrow output (a 3x3 filter's weight gradient, 32 x 9: 3 blocks across) still fills every
// lane of a subgroup instead of leaving 5 of 8 idle.
// The push-constant block mirrors nn/ops/gemm.hpp: GemmPush.

#ifndef GEMM_TEXEL_CONSTANTS_DECLARED  // the texel kernels declare these from their list
layout(constant_id = 5) const bool TRANS_A = false;
layout(constant_id = 6) const bool TRANS_B = false;
layout(constant_id = 9) const bool SPLIT_IN_X = false;
#endif

layout(push_constant) uniform Push {
  uint M, N, K;
  uint lda, ldb, ldc;
  float alpha, beta;
  uint bias_mode;
  uint relu;  // 1: C = max(C, 0) after the bias (fused activation)
  uint c_block;
  uint k_chunk;       // 0: no split
  uint split_stride;  // floats between the slabs of a split
  uint batch_a, batch_b, batch_c;  // floats between batched products (grid z)
} p;

layout(std430, binding = 3) buffer Out { float c[]; };

// The product of a batched GEMM: batched products are never split, so grid z is free for them.
#define BATCH_Z (p.k_chunk == 0u ? gl_WorkGroupID.z : 0u)

uint split_count() { return (p.K + p.k_chunk - 1u) / p.k_chunk; }  // only when k_chunk > 0
uint split_index() {
  if (p.k_chunk == 0u) return 0u;
  return SPLIT_IN_X ? gl_GlobalInvocationID.x % split_count() : gl_WorkGroupID.z;
}
// The invocation's column block, along x: with SPLIT_IN_X, x also counts the splits.
uint block_x() { return SPLIT_IN_X && p.k_chunk != 0u ? gl_GlobalInvocationID.x / split_count() : gl_GlobalInvocationID.x; }
uint k_begin() { return split_index() * p.k_chunk; }
uint k_end() { return p.k_chunk == 0u ? p.K : min(p.K, (split_index() + 1u) * p.k_chunk); }

// Where C (m, n0 + j) lives, for the columns of one invocation: one division per row, not
// per element (llvmpipe has no vector integer divide).
struct CColumns {
  uint base;   // index of (m, n0)
  uint block;  // n0 / c_block
  uint pos;    // n0 % c_block
};
// Whether C is stored blocked. The texel kernel makes it a specialization constant
// (GEMM_C_BLOCKED_SPEC): on llvmpipe both sides of the test run, and the blocked side's two
// integer divisions per row are per-lane loops.
bool c_blocked() {
#ifdef GEMM_C_BLOCKED_SPEC
  return C_BLOCKED;
#else
  return p.c_block != 0u;
#endif
}

CColumns c_columns(uint m, uint n0) {
  CColumns cc;
  const uint slab = split_index() * p.split_stride + BATCH_Z * p.batch_c;
  if (!c_blocked()) {
    cc.base = slab + m * p.ldc + n0;
    cc.block = 0u;
    cc.pos = 0u;
  } else {
    cc.block = n0 / p.c_block;
    cc.pos = n0 % p.c_block;
    cc.base = slab + cc.block * p.M * p.c_block + m * p.c_block + cc.pos;
  }
  return cc;
}
// Moves cc to the next column.
void c_next(inout CColumns cc) {
  cc.base += 1u;
  if (c_blocked() && ++cc.pos == p.c_block) {
    cc.pos = 0u;
    cc.base += (p.M - 1u) * p.c_block;
  }
}

// Whether the epilogue reads C (beta) and applies the ReLU: specialization constants in the
// texel kernel (GEMM_EPILOGUE_SPEC, gemm_texel_body.glsl), push constants elsewhere.
bool epi_beta() {
#ifdef GEMM_EPILOGUE_SPEC
  return EPI_BETA;
#else
  return p.beta != 0.0;
#endif
}
bool epi_relu() {
#ifdef GEMM_EPILOGUE_SPEC
  return EPI_RELU;
#else
  return p.relu != 0u;
#endif
}

float epilogue(float acc, uint index, float bias_value) {
  float v = p.alpha * acc;
  if (epi_beta()) v += p.beta * c[index];
  v += bias_value;
  if (epi_relu()) v = max(v, 0.0);
  return v;
}
