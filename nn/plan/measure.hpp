#pragma once
// What measuring kernel candidates on the device shares (conv2d_plan, gemm_plan,
// tune-kernels): random operands, the device time of one run, the statistics, the rule that
// picks a winner, and the cache the winners go to.
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/buffer.hpp"
#include "runtime/stream.hpp"

namespace vkt {
class KernelCache;
}

namespace vkt::nn {

// A measured candidate replaces the default only when it is this much faster: the median of a
// few runs on a shared machine moves by a few percent, and the defaults were chosen by
// measurement too.
inline constexpr double kWinMargin = 0.97;

// Checksum of the candidate set: every shader's SPIR-V, every conv route's name and this binary.
uint64_t kernel_candidates_checksum();
// ctx's kernel cache, for that candidate set.
KernelCache& plan_cache(Context& ctx);

// Of measurements with `ms` and `correct` (Conv2dMeasurement, GemmMeasurement): the fastest
// correct one, but the default (`is_default`) unless that one is faster by kWinMargin or the
// default is not correct; nullptr when none is correct.
template <class M, class IsDefault>
const M* pick_fastest(const std::vector<M>& m, IsDefault is_default) {
  const M* best = nullptr;
  const M* fallback = nullptr;
  for (const M& x : m) {
    if (!x.correct) continue;
    if (is_default(x)) fallback = &x;
    if (!best || x.ms < best->ms) best = &x;
  }
  return fallback && !(best->ms < kWinMargin * fallback->ms) ? fallback : best;
}

// What a kernel-cache entry keeps of a measurement: per candidate (named by `name`), its
// median ms, its error and whether it was correct (-1 for what was not finite).
template <class M, class Name>
nlohmann::json measurement_detail(const std::vector<M>& m, Name name) {
  nlohmann::json detail = nlohmann::json::object();
  for (const M& x : m)
    detail[name(x)] = {{"ms", std::isfinite(x.ms) ? x.ms : -1.0},
                       {"error", std::isfinite(x.error) ? x.error : -1.0},
                       {"correct", x.correct}};
  return detail;
}

// `floats` (at least 4) uniform in [-1, 1), the same for the same seed.
Buffer random_buffer(Context& ctx, uint64_t floats, uint64_t seed, const char* name);
// An output buffer for a candidate: `floats`, at least 4 (a buffer is never empty).
Buffer scratch_buffer(Context& ctx, uint64_t floats, const char* name);
// The kernel-cache key of a choice among `candidates` for `op_shape` ("strided_sum 64x1600
// /1,64"): "op_shape [a,b,c]", so that a different candidate set is a different entry.
std::string candidates_key(const std::string& op_shape, const std::vector<std::string>& candidates);
// Runs the recorded stream once and returns its device time between its first and last
// marks in ms (host time around the run where the device has no timestamps).
double run_and_time(Stream& s);
double median(std::vector<double> v);  // infinity when empty
// |got - want| / |want| in L2 norm; infinity if `got` holds a NaN or infinity.
double relative_l2(const std::vector<float>& got, const std::vector<float>& want);

}  // namespace vkt::nn
