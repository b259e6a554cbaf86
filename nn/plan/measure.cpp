#include "nn/plan/measure.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace vkt::nn {

Buffer random_buffer(Context& ctx, uint64_t floats, uint64_t seed, const char* name) {
  std::vector<float> v(std::max<uint64_t>(floats, 4));
  uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
  for (auto& x : v) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;  // Knuth's MMIX LCG; top 53 bits
    x = static_cast<float>(static_cast<double>(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
  }
  Buffer b(ctx, v.size() * 4, name);
  b.upload(v);
  return b;
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
