#pragma once
// Batch normalization (PyTorch semantics), in double. One set of functions covers both layouts:
//   batch norm 1d on (N, C):        pass HW = 1
//   batch norm 2d on (N, C, H, W):  pass HW = H * W
// Statistics are per channel over M = N * HW values.
#include <span>

namespace vkt::ref {

constexpr double kBatchNormEps = 1e-5;
constexpr double kBatchNormMomentum = 0.1;

// Training mode:
//   mean[c] = (1/M) sum x,  var[c] = (1/M) sum (x - mean)^2   (biased, used for normalizing)
//   y = gamma[c] * (x - mean) / sqrt(var + eps) + beta[c]
//   running_mean = (1 - m) running_mean + m mean
//   running_var  = (1 - m) running_var  + m var * M / (M - 1)   (unbiased, as PyTorch stores)
// save_mean / save_invstd (= 1 / sqrt(var + eps)) are what batchnorm_backward needs.
// Requires M >= 2 (PyTorch refuses a single value per channel in training too).
void batchnorm_forward_train(std::span<double> y,              // (N, C, HW)  overwritten
                             std::span<double> save_mean,      // (C)  overwritten
                             std::span<double> save_invstd,    // (C)  overwritten
                             std::span<double> running_mean,   // (C)  updated in place
                             std::span<double> running_var,    // (C)  updated in place
                             std::span<const double> x,        // (N, C, HW)
                             std::span<const double> gamma,    // (C)
                             std::span<const double> beta,     // (C)
                             int N, int C, int HW, double eps = kBatchNormEps,
                             double momentum = kBatchNormMomentum);

// Inference mode: y = gamma * (x - running_mean) / sqrt(running_var + eps) + beta.
void batchnorm_forward_infer(std::span<double> y,                   // (N, C, HW)  overwritten
                             std::span<const double> x,             // (N, C, HW)
                             std::span<const double> gamma,         // (C)
                             std::span<const double> beta,          // (C)
                             std::span<const double> running_mean,  // (C)
                             std::span<const double> running_var,   // (C)
                             int N, int C, int HW, double eps = kBatchNormEps);

// Training-mode backward, including the terms from the batch statistics depending on x:
//   xhat = (x - mean) * invstd
//   dbeta[c]  += sum dy
//   dgamma[c] += sum dy * xhat
//   dx        += gamma * invstd / M * (M dy - sum dy - xhat * sum(dy * xhat))
void batchnorm_backward(std::span<double> dx,                  // (N, C, HW) or empty
                        std::span<double> dgamma,              // (C)
                        std::span<double> dbeta,               // (C)
                        std::span<const double> dy,            // (N, C, HW)
                        std::span<const double> x,             // (N, C, HW)
                        std::span<const double> gamma,         // (C)
                        std::span<const double> save_mean,     // (C)  from batchnorm_forward_train
                        std::span<const double> save_invstd,   // (C)  from batchnorm_forward_train
                        int N, int C, int HW);

}  // namespace vkt::ref
