#include "apps/bench/bench_check.hpp"

#include <cmath>
#include <cstdio>

#include "tests/reference/gradcheck.hpp"

namespace vkt::app {

std::string compare_to_reference(const std::vector<float>& gpu, const std::vector<double>& ref, double tol) {
  if (gpu.size() != ref.size()) return "size mismatch";
  double scale = 0;
  for (double v : ref) scale = std::max(scale, std::fabs(v));
  const double bound = tol * scale + 1e-6;
  for (size_t i = 0; i < gpu.size(); ++i) {
    const double err = std::fabs(double(gpu[i]) - ref[i]);
    if (!(err <= bound)) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "element %zu: got %g, reference %g (|err| %g > %g)", i, double(gpu[i]), ref[i],
                    err, bound);
      return buf;
    }
  }
  return "";
}

std::vector<double> random_data(size_t n, uint64_t seed) { return ref::random_vector(n, seed); }

Buffer device_copy(Context& ctx, const std::vector<double>& v, const std::string& name) {
  std::vector<float> f(v.begin(), v.end());
  Buffer b(ctx, std::max<size_t>(f.size(), 1) * 4, name);
  b.upload(f.data(), f.size() * 4);
  return b;
}

Buffer device_zeros(Context& ctx, size_t n, const std::string& name) {
  return device_copy(ctx, std::vector<double>(std::max<size_t>(n, 1), 0.0), name);
}

}  // namespace vkt::app
