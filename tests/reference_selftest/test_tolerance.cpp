// Evidence for the fp32 tolerance guidance in gradcheck.hpp: a dense layer computed the way a
// naive GPU kernel would (fp32 inputs, fp32 sequential accumulation) stays within
// fp32_dot_error_bound of the double reference, while the error is far too large for a
// double-style tolerance.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/reference/reference.hpp"

using namespace vkt::ref;

TEST_CASE("reference: fp32 dense output is within the documented dot-product bound") {
  const int N = 4, IN = 2000, OUT = 16;
  auto x = random_vector(size_t(N) * IN, 21), W = random_vector(size_t(OUT) * IN, 22);
  // Round inputs to fp32 first: the GPU only ever sees fp32 values, so the reference must use
  // the same values or the comparison measures input rounding instead of the kernel.
  for (auto& v : x) v = double(float(v));
  for (auto& v : W) v = double(float(v));

  std::vector<double> ref(size_t(N) * OUT), sum_abs(size_t(N) * OUT);
  dense_forward(ref, x, W, {}, N, IN, OUT);
  std::vector<double> ax(x.size()), aw(W.size());
  for (size_t i = 0; i < x.size(); ++i) ax[i] = std::abs(x[i]);
  for (size_t i = 0; i < W.size(); ++i) aw[i] = std::abs(W[i]);
  dense_forward(sum_abs, ax, aw, {}, N, IN, OUT);  // sum |x_k w_k| per output

  std::vector<float> gpu(size_t(N) * OUT);
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < OUT; ++o) {
      float acc = 0.0f;
      for (int i = 0; i < IN; ++i) acc += float(x[size_t(n) * IN + i]) * float(W[size_t(o) * IN + i]);
      gpu[size_t(n) * OUT + o] = acc;
    }
  const auto rep = compare_fp32_dot(gpu, ref, sum_abs, IN);
  INFO(rep.message());
  CHECK(rep.ok);
  CHECK(rep.max_abs > 1e-7);               // fp32 error is real ...
  CHECK_FALSE(allclose(gpu, ref, 1e-9, 1e-9));  // ... and a double-level tolerance would reject it
}
