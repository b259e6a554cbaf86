// op(A) and op(B) read one bounds-checked float at a time from storage buffers: any M, N, K,
// lda, ldb, transpose and batch stride (gemm_common.glsl describes the layouts). Elements past
// the product (m >= M, n >= N, k >= this split's end) read as 0, so a partial tile sums zeros.
layout(std430, binding = 0) readonly buffer InA { float a[]; };
layout(std430, binding = 1) readonly buffer InB { float b[]; };

float load_a(uint m, uint k) {
  if (m >= p.M || k >= k_end()) return 0.0;
  return TRANS_A ? a[BATCH_Z * p.batch_a + k * p.lda + m] : a[BATCH_Z * p.batch_a + m * p.lda + k];
}
float load_b(uint k, uint n) {
  if (k >= k_end() || n >= p.N) return 0.0;
  return TRANS_B ? b[BATCH_Z * p.batch_b + n * p.ldb + k] : b[BATCH_Z * p.batch_b + k * p.ldb + n];
}
