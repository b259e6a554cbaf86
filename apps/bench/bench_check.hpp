#pragma once
// Result checks shared by the benchmark cases.
#include <string>
#include <vector>

#include "runtime/buffer.hpp"

namespace vkt::app {

// "" if every |gpu_i - ref_i| <= tol · max_j |ref_j| (+1e-6), else a one-line description of
// the worst element. Relative to the largest entry: fp32 sums err in proportion to the
// magnitude of their terms, not of each (possibly cancelling) result.
std::string compare_to_reference(const std::vector<float>& gpu, const std::vector<double>& ref, double tol = 1e-4);

std::vector<double> random_data(size_t n, uint64_t seed);
Buffer device_copy(Context& ctx, const std::vector<double>& v, const std::string& name);
Buffer device_zeros(Context& ctx, size_t n, const std::string& name);

}  // namespace vkt::app
