#pragma once
// What measuring kernel candidates on the device shares (conv2d_plan, gemm_plan,
// tune-kernels): random operands, the device time of one run, and the statistics.
#include <cstdint>
#include <vector>

#include "runtime/buffer.hpp"
#include "runtime/stream.hpp"

namespace vkt::nn {

// `floats` (at least 4) uniform in [-1, 1), the same for the same seed.
Buffer random_buffer(Context& ctx, uint64_t floats, uint64_t seed, const char* name);
// Runs the recorded stream once and returns its device time between its first and last
// marks in ms (host time around the run where the device has no timestamps).
double run_and_time(Stream& s);
double median(std::vector<double> v);  // infinity when empty
// |got - want| / |want| in L2 norm; infinity if `got` holds a NaN or infinity.
double relative_l2(const std::vector<float>& got, const std::vector<float>& want);

}  // namespace vkt::nn
