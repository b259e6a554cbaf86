#pragma once
// Losses and metrics, in double.
#include <cstdint>
#include <span>

namespace vkt::ref {

// Row-wise softmax, stable (max subtracted before exp).
void softmax_forward(std::span<double> probs,          // (N, K)  overwritten
                     std::span<const double> logits,   // (N, K)
                     int N, int K);

// Fused softmax cross-entropy, mean over the batch:
//   loss = (1/N) sum_n (logsumexp(z_n) - z_n[label_n]),  logsumexp computed as max + log sum exp(z - max).
// Labels must be in [0, K) (throws otherwise).
double softmax_cross_entropy_forward(std::span<const double> logits,   // (N, K)
                                     std::span<const int32_t> labels,  // (N)
                                     int N, int K);
// dlogits += dloss * (softmax(z) - onehot(label)) / N
void softmax_cross_entropy_backward(std::span<double> dlogits,         // (N, K)
                                    std::span<const double> logits,    // (N, K)
                                    std::span<const int32_t> labels,   // (N)
                                    int N, int K, double dloss = 1.0);

// Mean squared error over all N*K elements: loss = mean (p - t)^2.
double mse_forward(std::span<const double> pred,     // (N, K)
                   std::span<const double> target);  // (N, K)
// dpred += dloss * 2 (p - t) / (N*K)
void mse_backward(std::span<double> dpred,            // (N, K)
                  std::span<const double> pred,       // (N, K)
                  std::span<const double> target,     // (N, K)
                  double dloss = 1.0);

// Number of rows whose argmax equals the label; ties go to the lowest index.
int64_t accuracy_count(std::span<const double> logits,   // (N, K)
                       std::span<const int32_t> labels,  // (N)
                       int N, int K);

}  // namespace vkt::ref
