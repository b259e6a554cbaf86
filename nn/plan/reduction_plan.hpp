#pragma once
// Which kernel a reduction takes on this device: the strided sums (bias gradients, split-K
// slabs; nn/ops/strided_sum.hpp). With --autotune off, or one applicable route, the rule's
// choice; otherwise the remembered or (full) measured fastest, checked against the rows route
// (nn/plan/choose.hpp).
#include <string>

#include "nn/ops/strided_sum.hpp"

namespace vkt::nn {

StridedSumRoute plan_strided_sum(Context& ctx, const StridedSum& q, DeviceSpan out, DeviceSpan x);
// The kernel-cache key of that choice: the shape and the applicable routes.
std::string strided_sum_cache_key(const StridedSum& q, const std::vector<StridedSumRoute>& routes);

}  // namespace vkt::nn
