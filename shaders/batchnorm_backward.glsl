// Body of batchnorm_backward / batchnorm_backward_sg: training-mode backward with the
// batch-statistics terms, one workgroup per channel c, two passes:
//   1. sum_dy = sum dy,  sum_dy_xhat = sum dy xhat,  xhat = (x - save_mean) save_invstd
//      dbeta[c] = sum_dy, dgamma[c] = sum_dy_xhat                       (written, not added)
//   2. dx = gamma invstd (dy - sum_dy / M - xhat sum_dy_xhat / M)       (when WRITE_DX)
#include "common.glsl"
#include "batchnorm_common.glsl"

layout(constant_id = 3) const bool WRITE_DX = true;

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer SaveMean { float save_mean[]; };
layout(std430, binding = 4) readonly buffer SaveInvstd { float save_invstd[]; };
layout(std430, binding = 5) writeonly buffer DGamma { float dgamma[]; };
layout(std430, binding = 6) writeonly buffer DBeta { float dbeta[]; };
layout(std430, binding = 7) writeonly buffer DX { float dx[]; };  // bound to dy when !WRITE_DX

void main() {
  const uint c = gl_WorkGroupID.x;
  const float M = float(p.N * p.HW);
  const float mean = save_mean[c], invstd = save_invstd[c];

  vec2 acc = vec2(0.0);  // (sum dy, sum dy xhat)
  for (BnCursor cur = bn_start(); cur.n < p.N; bn_next(cur)) {
    const uint a = bn_addr(cur, c);
    const float g = dy[a];
    acc += vec2(g, g * ((x[a] - mean) * invstd));
  }
  const vec2 sums = bn_sum2(acc);
  if (gl_LocalInvocationID.x == 0) {
    dbeta[c] = sums.x;
    dgamma[c] = sums.y;
  }
  if (!WRITE_DX) return;

  const float k = gamma[c] * invstd;
  const float mean_dy = sums.x / M, mean_dy_xhat = sums.y / M;
  for (BnCursor cur = bn_start(); cur.n < p.N; bn_next(cur)) {
    const uint a = bn_addr(cur, c);
    const float xhat = (x[a] - mean) * invstd;
    dx[a] = k * (dy[a] - mean_dy - xhat * mean_dy_xhat);
  }
}
