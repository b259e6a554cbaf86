// Body of batchnorm_train / batchnorm_train_sg: training-mode forward, one workgroup
// per channel c, three passes over the channel's M = N HW values:
//   1. mean = (1/M) sum x
//   2. var  = (1/M) sum (x - mean)^2          two passes: no E[x^2] - E[x]^2 cancellation
//   3. y    = (x - mean) (gamma invstd) + beta,   invstd = 1 / sqrt(var + eps)
// All three work on d = x - pivot, pivot = the channel's first value: d is exact for values near
// the pivot and small, so a large common offset (x = 1000 +- 0.1) costs no precision in the
// sums nor in x - mean (an fp32 mean near 1000 alone would be off by up to 3e-5).
// and save_mean / save_invstd for the backward pass, running_mean / running_var updated with
// momentum, the running variance unbiased (var M / (M - 1)) as PyTorch stores it. Needs M >= 2.
#include "common.glsl"
#include "batchnorm_common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { float beta[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(std430, binding = 4) writeonly buffer SaveMean { float save_mean[]; };
layout(std430, binding = 5) writeonly buffer SaveInvstd { float save_invstd[]; };
layout(std430, binding = 6) buffer RunningMean { float running_mean[]; };
layout(std430, binding = 7) buffer RunningVar { float running_var[]; };

void main() {
  const uint c = gl_WorkGroupID.x;
  const float M = float(p.N * p.HW);

  const float pivot = x[c * p.HW];  // n = 0, i = 0

  float sum = 0.0;
  for (BnCursor cur = bn_start(); cur.n < p.N; bn_next(cur)) sum += x[bn_addr(cur, c)] - pivot;
  const float mean_d = bn_sum2(vec2(sum, 0.0)).x / M;  // mean - pivot

  float sq = 0.0;
  for (BnCursor cur = bn_start(); cur.n < p.N; bn_next(cur)) {
    const float d = (x[bn_addr(cur, c)] - pivot) - mean_d;
    sq += d * d;
  }
  const float sq_total = bn_sum2(vec2(sq, 0.0)).x;
  const float invstd = 1.0 / sqrt(sq_total / M + p.eps);

  const float scale = gamma[c] * invstd, shift = beta[c];
  for (BnCursor cur = bn_start(); cur.n < p.N; bn_next(cur)) {
    const uint a = bn_addr(cur, c);
    y[a] = ((x[a] - pivot) - mean_d) * scale + shift;
  }
  const float mean = pivot + mean_d;

  if (gl_LocalInvocationID.x == 0) {
    save_mean[c] = mean;
    save_invstd[c] = invstd;
    const float m = p.momentum;
    running_mean[c] = (1.0 - m) * running_mean[c] + m * mean;
    running_var[c] = (1.0 - m) * running_var[c] + m * (sq_total / (M - 1.0));
  }
}
