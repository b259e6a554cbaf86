// Shared by the GEMM shaders: C = alpha * op(A) * op(B) + beta * C + bias.
//   op(A) is M x K: A stored M x K row-major (lda >= K), or K x M when TRANS_A (lda >= M).
//   op(B) is K x N: B stored K x N row-major (ldb >= N), or N x K when TRANS_B (ldb >= K).
//   C is M x N row-major (ldc >= N). bias_mode 0: none, 1: bias[n] per column, 2: bias[m] per row.
// beta == 0 never reads C (it may hold NaN garbage); beta == 1 accumulates gradients.
// The push-constant block mirrors nn/ops/gemm.hpp: GemmPush.

layout(constant_id = 5) const bool TRANS_A = false;
layout(constant_id = 6) const bool TRANS_B = false;

layout(push_constant) uniform Push {
  uint M, N, K;
  uint lda, ldb, ldc;
  float alpha, beta;
  uint bias_mode;
  uint relu;  // 1: C = max(C, 0) after the bias (fused activation)
} p;

layout(std430, binding = 3) buffer Out { float c[]; };

float epilogue(float acc, uint m, uint n, float bias_value) {
  float v = p.alpha * acc;
  if (p.beta != 0.0) v += p.beta * c[m * p.ldc + n];
  v += bias_value;
  if (p.relu != 0u) v = max(v, 0.0);
  return v;
}
