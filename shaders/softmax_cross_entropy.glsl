// Body of softmax_cross_entropy (training: writes dlogits) and
// softmax_cross_entropy_eval (evaluation: defines SCE_EVAL_ONLY, metrics only).
//
// One workgroup covers the whole batch; invocation i takes rows i, i + WG, i + 2 WG, ...
// Per row n with logits z (K) and label l:
//   m    = max_k z[k]                     (argmax: the first index reaching it, ties -> lowest)
//   s    = sum_k exp(z[k] - m)            (stable: every exponent <= 0)
//   loss = log(s) - (z[l] - m)            (= logsumexp(z) - z[l])
//   dlogits[n, k] = (exp(z[k] - m) / s - [k == l]) / N          (training only)
// Labels must lie in [0, K): checking them is the host's job (nn/ops/loss.hpp). A label
// outside that range reads no memory: its row's loss is NaN, so it counts as nonfinite.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Logits { float z[]; };
layout(std430, binding = 1) readonly buffer Labels { int labels[]; };
#ifndef SCE_EVAL_ONLY
layout(std430, binding = 3) writeonly buffer DLogits { float dz[]; };
#endif
#define METRICS_BINDING 2
#include "loss_metrics.glsl"

layout(push_constant) uniform Push {
  uint N, K;
} p;

void main() {
  const uint K = p.K;
  const float inv_n = 1.0 / float(p.N);
  float loss_acc = 0.0;
  uint correct = 0, nonfinite = 0;
  for (uint n = gl_LocalInvocationID.x; n < p.N; n += gl_WorkGroupSize.x) {
    const uint base = n * K;
    float m = z[base];
    uint arg = 0;
    for (uint k = 1; k < K; ++k) {
      const float v = z[base + k];
      if (v > m) {
        m = v;
        arg = k;
      }
    }
    float s = 0.0;
    for (uint k = 0; k < K; ++k) s += exp(z[base + k] - m);
    const int label = labels[n];
    const bool label_ok = label >= 0 && uint(label) < K;
    const float loss = label_ok ? log(s) - (z[base + uint(label)] - m) : uintBitsToFloat(0x7fc00000u);
    if (metrics_is_finite(loss)) {
      loss_acc += loss;
      if (arg == uint(label)) ++correct;
    } else {
      ++nonfinite;
    }
#ifndef SCE_EVAL_ONLY
    const float scale = inv_n / s;
    for (uint k = 0; k < K; ++k) {
      const float g = exp(z[base + k] - m) * scale;
      dz[base + k] = k == uint(label) ? g - inv_n : g;
    }
#endif
  }
  metrics_add(loss_acc, correct, nonfinite, p.N);
}
