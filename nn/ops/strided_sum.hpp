#pragma once
// Strided sums: a bias gradient from its output gradient, split-K slabs into one product.
//   out[i] (I) = beta * out[i] + sum_{j<J} x[i*stride_i + j*stride_j]  (beta 0: overwrite)
// Three routes, each one kernel; which one runs is the plan's (nn/plan/reduction_plan.hpp):
//   columns: shaders/strided_sum_columns.comp, 4 outputs per invocation, one vec4 texel fetch
//            per row; contiguous rows of whole vec4s (stride_i 1, I and stride_j multiples of 4).
//   wide:    shaders/strided_sum_wide.comp, a workgroup per output; long sums over few outputs.
//   rows:    shaders/strided_sum.comp, one output per invocation; any shape (the reference).
#include <string>
#include <vector>

#include "nn/ops/device_span.hpp"

namespace vkt::nn {

struct StridedSum {
  uint32_t I = 0, J = 0, stride_i = 0, stride_j = 0;
  uint64_t x_floats() const;  // the floats of x the sum reads
  std::string str() const;    // "64x5408 /1,64"
};

enum class StridedSumRoute { Columns, Wide, Rows };
std::string strided_sum_route_name(StridedSumRoute r);

// The routes that can do this sum with these spans on this device, the rule's choice first
// (columns where it applies and KernelPolicy::column_sum, else wide for long sums, else rows).
std::vector<StridedSumRoute> strided_sum_routes(const Context& ctx, const StridedSum& q, DeviceSpan out, DeviceSpan x);

// Records the sum by `route` (which must be one of strided_sum_routes()).
void strided_sum_by(Stream& s, StridedSumRoute route, DeviceSpan out, DeviceSpan x, const StridedSum& q,
                    float beta = 0.0f);

// Records the sum by the route its plan takes on this device.
void strided_sum(Stream& s, DeviceSpan out, DeviceSpan x, uint32_t I, uint32_t J, uint32_t stride_i,
                 uint32_t stride_j, float beta = 0.0f);

}  // namespace vkt::nn
