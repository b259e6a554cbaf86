#include "tests/ops/op_harness.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vkt::test {

Buffer to_device(Context& ctx, const std::vector<double>& v, const std::string& name) {
  std::vector<float> f(v.begin(), v.end());
  if (f.empty()) f.push_back(0.0f);
  Buffer b(ctx, f.size() * 4, name);
  b.upload(f);
  return b;
}

Buffer to_device_int(Context& ctx, const std::vector<int32_t>& v, const std::string& name) {
  std::vector<int32_t> f = v;
  if (f.empty()) f.push_back(0);
  Buffer b(ctx, f.size() * 4, name);
  b.upload(f);
  return b;
}

Buffer nan_buffer(Context& ctx, size_t n, const std::string& name) {
  std::vector<float> f(std::max<size_t>(n, 1), std::numeric_limits<float>::quiet_NaN());
  Buffer b(ctx, f.size() * 4, name);
  b.upload(f);
  return b;
}

std::vector<float> from_device(const Buffer& b, size_t n) { return b.download_as<float>(n); }

void check_close(const std::vector<float>& gpu, const std::vector<double>& ref, double atol, double rtol,
                 const std::string& what) {
  REQUIRE(gpu.size() == ref.size());
  const auto report = ref::compare(std::span<const float>(gpu), std::span<const double>(ref), atol, rtol);
  INFO(what << ": " << report.message());
  CHECK(report.ok);
}

std::vector<double> fd_gradient(const ref::ForwardFn& forward, const ref::Inputs& inputs, size_t which,
                                const std::vector<double>& r) {
  auto loss = [&](const std::vector<double>& x) {
    ref::Inputs in = inputs;
    in[which] = x;
    const auto y = forward(in);
    double l = 0;
    for (size_t i = 0; i < y.size(); ++i) l += r[i] * y[i];
    return l;
  };
  return ref::numeric_gradient(loss, inputs[which]);
}

void check_gradient(const std::vector<float>& gpu, const std::vector<double>& fd, double tol, const std::string& what,
                    double tol_abs) {
  REQUIRE(gpu.size() == fd.size());
  double scale = 0;
  for (double v : fd) scale = std::max(scale, std::fabs(v));
  const double bound = tol * scale + tol_abs;
  size_t worst = 0;
  double worst_err = -1;
  for (size_t i = 0; i < gpu.size(); ++i) {
    const double err = std::isnan(gpu[i]) ? std::numeric_limits<double>::infinity() : std::fabs(gpu[i] - fd[i]);
    if (err > worst_err) worst_err = err, worst = i;
  }
  INFO(what << ": worst element " << worst << " gpu " << gpu[worst] << " vs finite differences " << fd[worst]
            << " (|err| " << worst_err << " > bound " << bound << " = " << tol << " * max|fd| " << scale << ")");
  CHECK(worst_err <= bound);
}

}  // namespace vkt::test
