#include "tests/reference/loss.hpp"

#include <cmath>

#include "tests/reference/common.hpp"

namespace vkt::ref {

using detail::check_size;

namespace {

void check_shapes(size_t logits, size_t labels, int N, int K, const char* op) {
  detail::check_positive(N, op, "N");
  detail::check_positive(K, op, "K");
  check_size(logits, size_t(N) * K, op, "logits");
  check_size(labels, size_t(N), op, "labels");
}

int32_t checked_label(std::span<const int32_t> labels, int n, int K, const char* op) {
  const int32_t l = labels[n];
  if (l < 0 || l >= K) throw std::invalid_argument(std::string(op) + ": label out of range");
  return l;
}

double row_max(const double* z, int K) {
  double m = z[0];
  for (int k = 1; k < K; ++k) m = std::max(m, z[k]);
  return m;
}

// log sum exp(z), stable: exp arguments are <= 0, so nothing overflows.
double logsumexp(const double* z, int K) {
  const double m = row_max(z, K);
  double s = 0;
  for (int k = 0; k < K; ++k) s += std::exp(z[k] - m);
  return m + std::log(s);
}

}  // namespace

void softmax_forward(std::span<double> probs, std::span<const double> logits, int N, int K) {
  detail::check_positive(N, "softmax_forward", "N");
  detail::check_positive(K, "softmax_forward", "K");
  check_size(probs.size(), size_t(N) * K, "softmax_forward", "probs");
  check_size(logits.size(), size_t(N) * K, "softmax_forward", "logits");
  for (int n = 0; n < N; ++n) {
    const double* z = logits.data() + size_t(n) * K;
    double* p = probs.data() + size_t(n) * K;
    const double m = row_max(z, K);
    double s = 0;
    for (int k = 0; k < K; ++k) s += (p[k] = std::exp(z[k] - m));
    for (int k = 0; k < K; ++k) p[k] /= s;
  }
}

double softmax_cross_entropy_forward(std::span<const double> logits, std::span<const int32_t> labels, int N, int K) {
  const char* op = "softmax_cross_entropy_forward";
  check_shapes(logits.size(), labels.size(), N, K, op);
  double total = 0;
  for (int n = 0; n < N; ++n) {
    const double* z = logits.data() + size_t(n) * K;
    total += logsumexp(z, K) - z[checked_label(labels, n, K, op)];
  }
  return total / N;
}

void softmax_cross_entropy_backward(std::span<double> dlogits, std::span<const double> logits,
                                    std::span<const int32_t> labels, int N, int K, double dloss) {
  const char* op = "softmax_cross_entropy_backward";
  check_shapes(logits.size(), labels.size(), N, K, op);
  check_size(dlogits.size(), size_t(N) * K, op, "dlogits");
  for (int n = 0; n < N; ++n) {
    const double* z = logits.data() + size_t(n) * K;
    const int32_t label = checked_label(labels, n, K, op);
    const double lse = logsumexp(z, K);
    for (int k = 0; k < K; ++k) {
      const double p = std::exp(z[k] - lse);
      dlogits[size_t(n) * K + k] += dloss * (p - (k == label ? 1.0 : 0.0)) / N;
    }
  }
}

double mse_forward(std::span<const double> pred, std::span<const double> target) {
  check_size(target.size(), pred.size(), "mse_forward", "target");
  if (pred.empty()) throw std::invalid_argument("mse_forward: empty input");
  double s = 0;
  for (size_t i = 0; i < pred.size(); ++i) s += (pred[i] - target[i]) * (pred[i] - target[i]);
  return s / double(pred.size());
}

void mse_backward(std::span<double> dpred, std::span<const double> pred, std::span<const double> target,
                  double dloss) {
  check_size(target.size(), pred.size(), "mse_backward", "target");
  check_size(dpred.size(), pred.size(), "mse_backward", "dpred");
  const double count = double(pred.size());
  for (size_t i = 0; i < pred.size(); ++i) dpred[i] += dloss * 2.0 * (pred[i] - target[i]) / count;
}

int64_t accuracy_count(std::span<const double> logits, std::span<const int32_t> labels, int N, int K) {
  check_shapes(logits.size(), labels.size(), N, K, "accuracy_count");
  int64_t correct = 0;
  for (int n = 0; n < N; ++n) {
    const double* z = logits.data() + size_t(n) * K;
    int best = 0;
    for (int k = 1; k < K; ++k)
      if (z[k] > z[best]) best = k;  // strict: ties keep the lowest index
    if (best == labels[n]) ++correct;
  }
  return correct;
}

}  // namespace vkt::ref
