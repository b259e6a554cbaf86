// Body of mse_loss (training: writes dpred) and mse_loss_eval (evaluation: defines
// MSE_EVAL_ONLY, metrics only), and of their one-hot forms mse_onehot / mse_onehot_eval
// (MSE_ONEHOT: the target is row n's int label l, read as the one-hot vector t_k = [k == l]).
//
// One workgroup covers the whole batch; invocation i takes rows i, i + WG, ...
// Per row n of pred p and target t (K each):
//   row loss = (1/K) sum_k (p - t)^2            added to metrics.loss_sum (finite rows only)
//   dpred[n, k] = 2 (p - t) / (N K)             (training only)
// so loss_sum / count is the batch mean over all N K elements, as for cross-entropy.
// With one-hot labels the argmax of p (ties -> lowest index) is compared with l for the
// accuracy, as softmax_cross_entropy does; a label outside [0, K) reads no memory and makes
// the row's loss NaN (nonfinite). With float targets there is no class: correct stays 0.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Pred { float pr[]; };
#ifdef MSE_ONEHOT
layout(std430, binding = 1) readonly buffer Labels { int labels[]; };
#else
layout(std430, binding = 1) readonly buffer Target { float tg[]; };
#endif
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
  uint correct = 0, nonfinite = 0;
  for (uint n = gl_LocalInvocationID.x; n < p.N; n += gl_WorkGroupSize.x) {
    const uint base = n * K;
#ifdef MSE_ONEHOT
    const int label = labels[n];
    const bool label_ok = label >= 0 && uint(label) < K;
    float best = pr[base];
    uint arg = 0;
#endif
    float sq = 0.0;
    for (uint k = 0; k < K; ++k) {
      const float v = pr[base + k];
#ifdef MSE_ONEHOT
      const float d = k == uint(label) ? v - 1.0 : v;
      if (v > best) {
        best = v;
        arg = k;
      }
#else
      const float d = v - tg[base + k];
#endif
      sq += d * d;
#ifndef MSE_EVAL_ONLY
      dp[base + k] = grad_scale * d;
#endif
    }
#ifdef MSE_ONEHOT
    const float loss = label_ok ? sq * inv_k : uintBitsToFloat(0x7fc00000u);
#else
    const float loss = sq * inv_k;
#endif
    if (metrics_is_finite(loss)) {
      loss_acc += loss;
#ifdef MSE_ONEHOT
      if (arg == uint(label)) ++correct;
#endif
    } else {
      ++nonfinite;
    }
  }
  metrics_add(loss_acc, correct, nonfinite, p.N);
}
