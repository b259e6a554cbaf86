#include "nn/ops/loss.hpp"

#include <limits>
#include <string>

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {

namespace {

// Mirrors `Push` in shaders/softmax_cross_entropy.glsl and shaders/mse_loss.glsl.
struct LossPush {
  uint32_t N, K;
};

// One workgroup for the whole batch; a power of two <= 256 (shaders/loss_metrics.glsl).
constexpr uint32_t kLossGroup = 128;

void check(const char* op, DeviceSpan metrics, DeviceSpan a, DeviceSpan b, uint64_t b_count, uint32_t N, uint32_t K) {
  if (N == 0 || K == 0) throw InputError(std::string(op) + ": N and K must be positive");
  const uint64_t total = uint64_t(N) * K;
  if (total > std::numeric_limits<uint32_t>::max()) throw InputError(std::string(op) + ": N*K exceeds 2^32");
  if (metrics.count < kLossMetricsFloats) throw Error(std::string(op) + ": metrics span holds fewer than 4 words");
  if (a.count < total || b.count < b_count) throw Error(std::string(op) + ": spans too small for the shape");
}

void run_loss(Stream& s, const char* shader, DeviceSpan grad, DeviceSpan metrics, DeviceSpan a, DeviceSpan b,
              uint32_t N, uint32_t K) {
  const bool train = !grad.empty();
  std::vector<BindingKind> bindings(train ? 4 : 3, BindingKind::Storage);
  const Kernel& k = s.context().kernel({shader, bindings, sizeof(LossPush), {kLossGroup, 1, 1}, {},
                                        3 * 256 * 4});  // loss_metrics.glsl: three 256-entry arrays
  const Arg m = inout(metrics.sub(0, kLossMetricsFloats));
  const LossPush push{N, K};
  if (train)
    s.dispatch(k, {in(a), in(b), m, out(grad.sub(0, uint64_t(N) * K))}, push, {1, 1, 1});
  else
    s.dispatch(k, {in(a), in(b), m}, push, {1, 1, 1});
}

}  // namespace

double LossMetrics::mean_loss() const {
  if (count == 0 || nonfinite != 0) return std::numeric_limits<double>::quiet_NaN();
  return double(loss_sum) / count;
}

double LossMetrics::accuracy() const {
  if (count == 0) return std::numeric_limits<double>::quiet_NaN();
  return double(correct) / count;
}

LossMetrics read_loss_metrics(const Buffer& metrics, VkDeviceSize offset) {
  LossMetrics m;
  metrics.download(&m, sizeof m, offset);
  return m;
}

void reset_loss_metrics(Buffer& metrics, VkDeviceSize offset) {
  const LossMetrics zero;
  metrics.upload(&zero, sizeof zero, offset);
}

void softmax_cross_entropy(Stream& s, DeviceSpan dlogits, DeviceSpan metrics, DeviceSpan logits, DeviceSpan labels,
                           uint32_t N, uint32_t K) {
  check("softmax_cross_entropy", metrics, logits, labels, N, N, K);
  if (dlogits.count < uint64_t(N) * K) throw Error("softmax_cross_entropy: dlogits span too small");
  run_loss(s, "softmax_cross_entropy", dlogits, metrics, logits.sub(0, uint64_t(N) * K), labels.sub(0, N), N, K);
}

void softmax_cross_entropy_eval(Stream& s, DeviceSpan metrics, DeviceSpan logits, DeviceSpan labels, uint32_t N,
                                uint32_t K) {
  check("softmax_cross_entropy_eval", metrics, logits, labels, N, N, K);
  run_loss(s, "softmax_cross_entropy_eval", {}, metrics, logits.sub(0, uint64_t(N) * K), labels.sub(0, N), N, K);
}

void mse_loss(Stream& s, DeviceSpan dpred, DeviceSpan metrics, DeviceSpan pred, DeviceSpan target, uint32_t N,
              uint32_t K) {
  check("mse_loss", metrics, pred, target, uint64_t(N) * K, N, K);
  if (dpred.count < uint64_t(N) * K) throw Error("mse_loss: dpred span too small");
  run_loss(s, "mse_loss", dpred, metrics, pred.sub(0, uint64_t(N) * K), target.sub(0, uint64_t(N) * K), N, K);
}

void mse_loss_eval(Stream& s, DeviceSpan metrics, DeviceSpan pred, DeviceSpan target, uint32_t N, uint32_t K) {
  check("mse_loss_eval", metrics, pred, target, uint64_t(N) * K, N, K);
  run_loss(s, "mse_loss_eval", {}, metrics, pred.sub(0, uint64_t(N) * K), target.sub(0, uint64_t(N) * K), N, K);
}

void mse_onehot(Stream& s, DeviceSpan dpred, DeviceSpan metrics, DeviceSpan pred, DeviceSpan labels, uint32_t N,
                uint32_t K) {
  check("mse_onehot", metrics, pred, labels, N, N, K);
  if (dpred.count < uint64_t(N) * K) throw Error("mse_onehot: dpred span too small");
  run_loss(s, "mse_onehot", dpred, metrics, pred.sub(0, uint64_t(N) * K), labels.sub(0, N), N, K);
}

void mse_onehot_eval(Stream& s, DeviceSpan metrics, DeviceSpan pred, DeviceSpan labels, uint32_t N, uint32_t K) {
  check("mse_onehot_eval", metrics, pred, labels, N, N, K);
  run_loss(s, "mse_onehot_eval", {}, metrics, pred.sub(0, uint64_t(N) * K), labels.sub(0, N), N, K);
}

}  // namespace vkt::nn
