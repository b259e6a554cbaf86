// strided_sum (bias gradients, split-K reductions) vs a double sum, through every route that
// applies to each case, and the planned one: short sums (one invocation per output), long sums read 4 terms per fetch (contiguous
// rows), long strided sums read one term per fetch, and column sums of whole vec4s (4 outputs
// per invocation); with beta 0 (overwrite) and 1 (accumulate), and lengths that are not
// multiples of the 64-invocation workgroup.
// Tolerance: sums of up to 5,000 fp32 terms of magnitude <= 1 in a different order than the
// double reference: atol 1e-6·J (a loose bound on the rounding of J additions).
#include <doctest/doctest.h>

#include <set>

#include "nn/ops/strided_sum.hpp"
#include "runtime/buffer.hpp"
#include "tests/ops/op_harness.hpp"
#include "tests/test_support.hpp"

using namespace vkt;
using namespace vkt::nn;

TEST_CASE("strided_sum: short, long contiguous and long strided sums, overwrite and accumulate") {
  Context ctx(test::test_context_options());
  struct Case {
    uint32_t I, J, stride_i, stride_j;
    float beta;
  };
  const Case cases[] = {
      {5, 37, 1, 5, 0.0f},        // a dense layer's db: column sums of (37, 5), short
      {3, 5000, 5000, 1, 0.0f},   // a convolution's db: row sums of (3, 5000), long and contiguous
      {3, 4998, 5000, 1, 1.0f},   // long, rows padded, J not a multiple of 4: one term per fetch
      {7, 1030, 1, 7, 0.0f},      // long and strided
      {6, 4, 1, 6, 1.0f},         // split-K slabs summed into C
      // Column sums, 4 outputs per invocation (I % 4 == 0, stride_j % 4 == 0): the Winograd
      // bias gradient (1,600 tiles x 64), split-K slabs, I past one workgroup, a padded stride.
      {64, 1600, 1, 64, 0.0f},
      {260, 3, 1, 260, 1.0f},
      {8, 33, 1, 12, 0.0f},
  };
  std::set<StridedSumRoute> routes_run;
  for (const Case& c : cases) {
    INFO("I " << c.I << " J " << c.J << " stride_i " << c.stride_i << " stride_j " << c.stride_j << " beta " << c.beta);
    const size_t n = size_t(c.I - 1) * c.stride_i + size_t(c.J - 1) * c.stride_j + 1;
    const auto xv = ref::random_vector(n, 7 + c.J), outv = ref::random_vector(c.I, 8);
    Buffer x = test::to_device(ctx, xv, "x");
    std::vector<double> want(c.I);
    for (uint32_t i = 0; i < c.I; ++i) {
      double acc = c.beta * double(static_cast<float>(outv[i]));
      for (uint32_t j = 0; j < c.J; ++j) acc += static_cast<float>(xv[size_t(i) * c.stride_i + size_t(j) * c.stride_j]);
      want[i] = acc;
    }
    const StridedSum q{c.I, c.J, c.stride_i, c.stride_j};
    // The routes for spans at offset 0, as x and every out here are.
    for (StridedSumRoute r : strided_sum_routes(ctx, q, x, x)) {
      INFO("route " << strided_sum_route_name(r));
      routes_run.insert(r);
      Buffer out = test::to_device(ctx, outv, "out");
      Stream s(ctx);
      strided_sum_by(s, r, out, x, q, c.beta);
      s.run();
      test::check_close(test::from_device(out, c.I), want, 1e-6 * c.J, 0.0, "strided_sum");
    }
    // And the planned route (the rule's under the default --autotune off of tests).
    Buffer out = test::to_device(ctx, outv, "out");
    Stream s(ctx);
    strided_sum(s, out, x, c.I, c.J, c.stride_i, c.stride_j, c.beta);
    s.run();
    test::check_close(test::from_device(out, c.I), want, 1e-6 * c.J, 0.0, "strided_sum, planned");
  }
  CHECK(routes_run.size() == 3);  // every route took some of the cases
}
