#pragma once
// Batch normalization (PyTorch semantics) for batch norm 1d on (N, C) and 2d on (N, C, H, W):
// one implementation on (N, C, HW), HW = 1 for 1d. Statistics are per channel over the
// M = N·HW values of that channel.
//
//   forward_train  one workgroup per channel, three passes over its values: mean, then the
//                  biased variance as (1/M) Σ (x - mean)² (two passes, no E[x²] - E[x]²), then y;
//                  all on x minus the channel's first value, so a large common offset costs
//                  no precision.
//                  Writes save_mean and save_invstd = 1/sqrt(var + eps) for the backward pass and
//                  updates running_mean / running_var with `momentum`, the running variance
//                  unbiased (var·M/(M-1)) as PyTorch stores it. Needs M >= 2.
//   forward_infer  elementwise with the running statistics.
//   backward       one workgroup per channel, two passes: dbeta = Σ dy, dgamma = Σ dy·xhat, then
//                  dx = gamma·invstd·(dy - Σdy/M - xhat·Σ(dy·xhat)/M), the full batch-statistics
//                  formula. dx, dgamma and dbeta are WRITTEN, not accumulated.
// Workgroup sums use subgroupAdd where the device has subgroup arithmetic, else a shared-memory
// tree (BatchNormPath).
#include <cstdint>

#include "nn/ops/device_span.hpp"

namespace vkt::nn {

struct BatchNormShape {
  uint32_t N = 1, C = 1, HW = 1;  // data (N, C, HW); HW = H·W for 2d, 1 for 1d
  float eps = 1e-5f;
  float momentum = 0.1f;  // running = (1 - momentum)·running + momentum·batch statistic

  uint64_t size() const { return uint64_t(N) * C * HW; }
  uint64_t M() const { return uint64_t(N) * HW; }  // values per channel
  // Throws InputError for zero sizes, or (training) fewer than two values per channel.
  void validate(bool training) const;
};

enum class BatchNormPath { Auto, Subgroup, Shared };

// y (N, C, HW) written; save_mean, save_invstd (C) written; running_mean, running_var (C)
// updated in place.
void batchnorm_forward_train(Stream& s, DeviceSpan y, DeviceSpan save_mean, DeviceSpan save_invstd,
                             DeviceSpan running_mean, DeviceSpan running_var, DeviceSpan x, DeviceSpan gamma,
                             DeviceSpan beta, const BatchNormShape& b, BatchNormPath path = BatchNormPath::Auto);

// y (N, C, HW) = gamma·(x - running_mean)/sqrt(running_var + eps) + beta.
void batchnorm_forward_infer(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan gamma, DeviceSpan beta,
                             DeviceSpan running_mean, DeviceSpan running_var, const BatchNormShape& b);

// dgamma, dbeta (C) and dx (N, C, HW) written; dx may be empty (nothing upstream needs it).
// save_mean / save_invstd as batchnorm_forward_train left them for this batch.
void batchnorm_backward(Stream& s, DeviceSpan dx, DeviceSpan dgamma, DeviceSpan dbeta, DeviceSpan dy, DeviceSpan x,
                        DeviceSpan gamma, DeviceSpan save_mean, DeviceSpan save_invstd, const BatchNormShape& b,
                        BatchNormPath path = BatchNormPath::Auto);

}  // namespace vkt::nn
