#pragma once
// Which kernel a reduction takes on this device: the strided sums (bias gradients, split-K
// slabs; nn/ops/strided_sum.hpp), checked against the rows route, and the optimizer's
// two-pass sums (gradient clipping's global norm, the weight penalty; nn/optim/optimizer.hpp),
// checked against the shared-memory path. With --autotune off, or one applicable route, the
// rule's choice; otherwise the remembered or (full) measured fastest (nn/plan/choose.hpp).
#include <string>

#include "nn/ops/strided_sum.hpp"
#include "nn/optim/optimizer.hpp"

namespace vkt::nn {

StridedSumRoute plan_strided_sum(Context& ctx, const StridedSum& q, DeviceSpan out, DeviceSpan x);
// The kernel-cache key of that choice: the shape and the applicable routes.
std::string strided_sum_cache_key(const StridedSum& q, const std::vector<StridedSumRoute>& routes);

// The path of a two-pass reduction over n floats (spans `texel_possible` as texels).
ReducePath plan_reduce(Context& ctx, uint64_t n, bool texel_possible);
std::string reduce_cache_key(uint64_t n, const std::vector<ReducePath>& paths);

}  // namespace vkt::nn
