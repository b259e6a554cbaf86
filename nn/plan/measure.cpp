#include "nn/plan/measure.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string_view>

#include "nn/ops/conv2d_routes.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel_cache.hpp"
#include "runtime/shaders.hpp"
#include "tuning/hash.hpp"
#include "util/file_io.hpp"

namespace vkt::nn {

uint64_t kernel_candidates_checksum() {
  static const uint64_t sum = [] {
    const auto bytes = [](const void* p, size_t n) { return std::string_view(static_cast<const char*>(p), n); };
    uint64_t h = tune::fnv1a64("");  // the offset basis
    for (const auto& r : conv2d_routes()) h = tune::fnv1a64(bytes(r.name, std::char_traits<char>::length(r.name) + 1), h);
    for (const auto& s : embedded_shaders()) {
      h = tune::fnv1a64(s.name, h);
      h = tune::fnv1a64(bytes(s.words.data(), s.words.size_bytes()), h);
    }
    // And the binary itself: the routes' host code (tile sizes, splits, the pick rule) changes
    // with it as much as with the shaders. Reading it costs a few milliseconds, once.
    try {
      const std::vector<uint8_t> exe = read_file("/proc/self/exe");
      h = tune::fnv1a64(bytes(exe.data(), exe.size()), h);
    } catch (const std::exception&) {
      // Not Linux, or no /proc: the shaders and names alone.
    }
    return h;
  }();
  return sum;
}

KernelCache& plan_cache(Context& ctx) { return ctx.kernel_cache(kernel_candidates_checksum()); }

Buffer random_buffer(Context& ctx, uint64_t floats, uint64_t seed, const char* name) {
  std::vector<float> v(std::max<uint64_t>(floats, 4));
  uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
  for (auto& x : v) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;  // Knuth's MMIX LCG; top 53 bits
    x = static_cast<float>(static_cast<double>(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
  }
  Buffer b(ctx, v.size() * 4, name, MemoryKind::Workspace);
  b.upload(v);
  return b;
}

Buffer scratch_buffer(Context& ctx, uint64_t floats, const char* name) {
  return Buffer(ctx, std::max<uint64_t>(floats, 4) * 4, name, MemoryKind::Workspace);
}

std::string candidates_key(const std::string& op_shape, const std::vector<std::string>& candidates) {
  std::string key = op_shape + " [";
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (i) key += ',';
    key += candidates[i];
  }
  return key + "]";
}

double run_and_time(Stream& s) {
  const auto t0 = std::chrono::steady_clock::now();
  s.run();
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (const auto t = s.timings(); !t.empty()) {
    ms = 0;
    for (const auto& x : t) ms += x.ms;
  }
  return ms;
}

double median(std::vector<double> v) {
  if (v.empty()) return INFINITY;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

double relative_l2(const std::vector<float>& got, const std::vector<float>& want) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    const double d = double(got[i]) - double(want[i]);
    diff += d * d;
    norm += double(want[i]) * double(want[i]);
  }
  return std::sqrt(diff) / std::max(std::sqrt(norm), 1e-30);
}

}  // namespace vkt::nn
