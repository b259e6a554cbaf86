// Body of mse_loss (training: writes dpred) and mse_loss_eval (evaluation: defines
// MSE_EVAL_ONLY, metrics only).
//
// One workgroup covers the whole batch; invocation i takes rows i, i + WG, ...
// Per row n of pred p and target t (K each):
//   row loss = (1/K) sum_k (p - t)^2            added to metrics.loss_sum (finite rows only)
//   dpred[n, k] = 2 (p - t) / (N K)             (training only)
// so loss_sum / count is the batch mean over all N K elements, as for cross-entropy.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Pred { float pr[]; };
layout(std430, binding = 1) readonly buffer Target { float tg[]; };
#ifndef MSE_EVAL_ONLY
layout(std430, binding = 3) writeonly buffer DPred { float dp[]; };
#endif
#define METRICS_BINDING 2
#include "loss_metrics.glsl"

layout(push_constant) uniform Push {
  uint N, K;
} p;

void main() {
  const uint K = p.K;
  const float grad_scale = 2.0 / (float(p.N) * float(K));
  const float inv_k = 1.0 / float(K);
  float loss_acc = 0.0;
  uint nonfinite = 0;
  for (uint n = gl_LocalInvocationID.x; n < p.N; n += gl_WorkGroupSize.x) {
    const uint base = n * K;
    float sq = 0.0;
    for (uint k = 0; k < K; ++k) {
      const float d = pr[base + k] - tg[base + k];
      sq += d * d;
#ifndef MSE_EVAL_ONLY
      dp[base + k] = grad_scale * d;
#endif
    }
    const float loss = sq * inv_k;
    if (metrics_is_finite(loss)) {
      loss_acc += loss;
    } else {
      ++nonfinite;
    }
  }
  metrics_add(loss_acc, 0u, nonfinite, p.N);
}
