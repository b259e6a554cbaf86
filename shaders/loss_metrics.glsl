// Loss metrics shared by softmax_cross_entropy*.comp and mse_loss*.comp (nn/ops/loss.hpp:
// LossMetrics). The metrics block lives in a small host-visible buffer (MemoryUse::Shared) that
// the recorded step adds to on every replay; the host reads it at log intervals and zeroes it.
// These kernels run as ONE workgroup over the whole batch, so the workgroup's thread 0 is the
// only writer: plain read-modify-write, no atomics (float atomics are optional in Vulkan).
//
// Include after defining METRICS_BINDING. The workgroup size must be a power of two <= 256.
layout(std430, binding = METRICS_BINDING) buffer MetricsBuffer {
  float loss_sum;   // sum over rows of the per-row loss, finite rows only
  uint correct;     // rows whose argmax equals the label (cross-entropy only)
  uint count;       // rows seen
  uint nonfinite;   // rows whose loss was NaN or +-Inf (excluded from loss_sum and correct)
} metrics;

shared float metrics_loss[256];
shared uint metrics_correct[256];
shared uint metrics_nonfinite[256];

// Adds one invocation's partial totals into the metrics block. Every invocation of the
// workgroup must call it (it contains barriers). `rows` is the batch size, added once.
// A shared-memory tree: it runs once per dispatch, so its few barriers cost nothing that matters.
void metrics_add(float loss, uint correct, uint nonfinite, uint rows) {
  const uint lid = gl_LocalInvocationID.x;
  metrics_loss[lid] = loss;
  metrics_correct[lid] = correct;
  metrics_nonfinite[lid] = nonfinite;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (lid < s) {
      metrics_loss[lid] += metrics_loss[lid + s];
      metrics_correct[lid] += metrics_correct[lid + s];
      metrics_nonfinite[lid] += metrics_nonfinite[lid + s];
    }
    barrier();
  }
  if (lid == 0) {
    metrics.loss_sum += metrics_loss[0];
    metrics.correct += metrics_correct[0];
    metrics.count += rows;
    metrics.nonfinite += metrics_nonfinite[0];
  }
}

bool metrics_is_finite(float v) { return !isnan(v) && !isinf(v); }
