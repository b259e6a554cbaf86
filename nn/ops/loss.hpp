#pragma once
// Losses fused with their gradient and with metric accumulation, for a step that is recorded
// once and replayed: each call adds its batch's totals to a small metrics block that the
// recorded step accumulates into on every replay, with no host work per step.
//
//   softmax_cross_entropy       logits (N, K), int32 labels (N) -> dlogits, metrics
//   softmax_cross_entropy_eval  the same metrics, no dlogits (evaluation, accuracy)
//   mse_loss                    pred, target (N, K)             -> dpred, metrics
//   mse_loss_eval               the same metrics, no dpred
//   mse_onehot(_eval)           pred (N, K), int32 labels (N) read as one-hot targets
//
// The metrics block (LossMetrics, 16 bytes) should live in a MemoryUse::Shared buffer: the host
// reads it at log intervals (read_loss_metrics) and zeroes it when it wants a fresh sum
// (reset_loss_metrics, or Stream::fill). Each kernel is ONE workgroup over the whole batch, so
// there is exactly one writer and no float atomics; it is meant for N up to a few thousand
// rows. Calls that share one metrics block are ordered by the Stream (they declare it inout).
//
// Metric conventions (the same for both losses, so the host always divides by `count`):
//   loss_sum   += sum over the batch's rows of the row's loss, as float
//                 cross-entropy: row loss = logsumexp(z_n) - z_n[label_n]
//                 MSE:           row loss = (1/K) sum_k (p - t)^2   (so loss_sum = batch mean x N)
//   count      += N
//   correct    += rows whose argmax (ties -> lowest index) equals the label (cross-entropy and
//                 one-hot MSE; MSE on float targets adds 0)
//   nonfinite  += rows whose loss is NaN or +-Inf. Such rows add nothing to loss_sum or correct,
//                 so one bad row does not poison the sum; LossMetrics::mean_loss() is NaN when
//                 any row was nonfinite, and a trainer treats nonfinite > 0 as divergence.
//
// The trainer runs one of the two losses on labels (TrainConfig::loss, `train --loss`).
//
// Labels must lie in [0, K): checking them (once, when the data set is loaded) is the host's
// job. The kernel reads no memory for an out-of-range label: that row's loss is NaN and it is
// counted as nonfinite; its dlogits row is the plain softmax / N.
#include <cstdint>

#include "nn/ops/device_span.hpp"

namespace vkt::nn {

struct LossMetrics {
  float loss_sum = 0.0f;
  uint32_t correct = 0;
  uint32_t count = 0;
  uint32_t nonfinite = 0;

  // loss_sum / count; NaN if a row was nonfinite or nothing was counted.
  double mean_loss() const;
  // correct / count; NaN if nothing was counted.
  double accuracy() const;
};
static_assert(sizeof(LossMetrics) == 16, "mirrored in shaders/loss_metrics.glsl");
inline constexpr uint32_t kLossMetricsFloats = 4;  // a DeviceSpan over one LossMetrics

// Host side: the stream that writes the block must not be in flight.
LossMetrics read_loss_metrics(const Buffer& metrics, VkDeviceSize offset = 0);
void reset_loss_metrics(Buffer& metrics, VkDeviceSize offset = 0);

// dlogits (N, K) = (softmax(logits) - onehot(labels)) / N, written; metrics (4) accumulated.
// Throws InputError for N or K = 0, Error for spans too small.
void softmax_cross_entropy(Stream& s, DeviceSpan dlogits, DeviceSpan metrics, DeviceSpan logits, DeviceSpan labels,
                           uint32_t N, uint32_t K);
// Metrics only (loss sum, correct, count, nonfinite), for evaluation.
void softmax_cross_entropy_eval(Stream& s, DeviceSpan metrics, DeviceSpan logits, DeviceSpan labels, uint32_t N,
                                uint32_t K);

// dpred (N, K) = 2 (pred - target) / (N K), written; metrics (4) accumulated.
void mse_loss(Stream& s, DeviceSpan dpred, DeviceSpan metrics, DeviceSpan pred, DeviceSpan target, uint32_t N,
              uint32_t K);
void mse_loss_eval(Stream& s, DeviceSpan metrics, DeviceSpan pred, DeviceSpan target, uint32_t N, uint32_t K);
// The same against onehot(labels): dpred = 2 (pred - onehot) / (N K); metrics count argmax
// hits. Out-of-range labels as for cross-entropy.
void mse_onehot(Stream& s, DeviceSpan dpred, DeviceSpan metrics, DeviceSpan pred, DeviceSpan labels, uint32_t N,
                uint32_t K);
void mse_onehot_eval(Stream& s, DeviceSpan metrics, DeviceSpan pred, DeviceSpan labels, uint32_t N, uint32_t K);

}  // namespace vkt::nn
