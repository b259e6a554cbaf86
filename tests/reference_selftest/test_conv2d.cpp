#include <doctest/doctest.h>

#include <array>
#include <stdexcept>

#include "tests/reference/conv2d.hpp"
#include "tests/reference/gradcheck.hpp"

using namespace vkt::ref;

TEST_CASE("reference: conv2d forward on a 1x1x3x3 image by hand") {
  // x = [1 2 3; 4 5 6; 7 8 9], 2x2 kernel [1 0; 0 -1], bias 10, stride 1, no padding:
  //   y[i][j] = x[i][j] - x[i+1][j+1] + 10 = -4 + 10 = 6 everywhere (2x2 output)
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  Conv2dShape s{.N = 1, .C = 1, .H = 3, .W = 3, .K = 1, .R = 2, .S = 2};
  std::vector<double> y(4);
  conv2d_forward(y, x, std::vector<double>{1, 0, 0, -1}, std::vector<double>{10}, s);
  CHECK(y == std::vector<double>{6, 6, 6, 6});

  // 3x3 all-ones kernel, padding 1, stride 2: output 2x2, sums of the clipped 3x3 windows
  // centred on (0,0), (0,2), (2,0), (2,2): 1+2+4+5=12, 2+3+5+6=16, 4+5+7+8=24, 5+6+8+9=28.
  s = {.N = 1, .C = 1, .H = 3, .W = 3, .K = 1, .R = 3, .S = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1};
  CHECK(s.OH() == 2);
  CHECK(s.OW() == 2);
  conv2d_forward(y, x, std::vector<double>(9, 1.0), {}, s);
  CHECK(y == std::vector<double>{12, 16, 24, 28});

  // 1x1 kernel with 2 output channels: per-pixel scaling.
  s = {.N = 1, .C = 1, .H = 3, .W = 3, .K = 2, .R = 1, .S = 1};
  std::vector<double> y2(18);
  conv2d_forward(y2, x, std::vector<double>{2, -1}, std::vector<double>{0, 1}, s);
  for (int i = 0; i < 9; ++i) {
    CHECK(y2[i] == 2 * x[i]);
    CHECK(y2[9 + i] == 1 - x[i]);
  }
  CHECK_THROWS_AS(conv2d_forward(y, x, std::vector<double>(9, 1.0), {}, Conv2dShape{.H = 3, .W = 3, .R = 5, .S = 5}),
                  std::invalid_argument);
}

TEST_CASE("reference: conv2d backward matches finite differences") {
  // Small odd shapes: batch 1 and 3, channels 3 and 5, 1x1 / 3x3 / 5x5 kernels, non-square
  // kernels and images, stride 1 and 2, padding 0, 1 and 2.
  const Conv2dShape cases[] = {
      {.N = 1, .C = 1, .H = 1, .W = 1, .K = 1, .R = 1, .S = 1},
      {.N = 1, .C = 3, .H = 7, .W = 5, .K = 5, .R = 3, .S = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1},
      {.N = 3, .C = 5, .H = 7, .W = 7, .K = 3, .R = 1, .S = 1, .sh = 2, .sw = 2},
      {.N = 1, .C = 3, .H = 7, .W = 7, .K = 3, .R = 5, .S = 5, .sh = 2, .sw = 2, .ph = 2, .pw = 2},
      {.N = 3, .C = 3, .H = 5, .W = 7, .K = 5, .R = 3, .S = 5, .sh = 2, .sw = 1, .ph = 1, .pw = 2},
      {.N = 1, .C = 5, .H = 3, .W = 3, .K = 1, .R = 3, .S = 1, .sh = 1, .sw = 2, .ph = 2, .pw = 0},
      // (6 + 2 - 3) / 2 = 2.5: floor drops the last padded row/column, which must get no gradient
      {.N = 1, .C = 3, .H = 6, .W = 6, .K = 3, .R = 3, .S = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1},
  };
  for (const auto& s : cases) {
    CAPTURE(s.N);
    CAPTURE(s.C);
    CAPTURE(s.H);
    CAPTURE(s.K);
    CAPTURE(s.R);
    CAPTURE(s.sh);
    CAPTURE(s.ph);
    const ForwardFn fwd = [s](const Inputs& in) {
      std::vector<double> y(size_t(s.N) * s.K * s.OH() * s.OW());
      conv2d_forward(y, in[0], in[1], in[2], s);
      return y;
    };
    const BackwardFn bwd = [s](const Inputs& in, const std::vector<double>& dy, Inputs& g) {
      conv2d_backward(g[0], g[1], g[2], dy, in[0], in[1], s);
    };
    const Inputs in{random_vector(size_t(s.N) * s.C * s.H * s.W, 1), random_vector(size_t(s.K) * s.C * s.R * s.S, 2),
                    random_vector(size_t(s.K), 3)};
    const auto res = check_forward_backward(fwd, bwd, in);
    for (size_t k = 0; k < 3; ++k) {
      INFO("input " << k << ": " << res[k].message());
      CHECK(res[k].ok(1e-6));
    }
  }
}

TEST_CASE("reference: conv2d optional bias and dx") {
  const Conv2dShape s{.N = 1, .C = 3, .H = 5, .W = 5, .K = 3, .R = 3, .S = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1};
  const auto x = random_vector(75, 1), w = random_vector(81, 2);
  std::vector<double> y_nobias(27), y_zero(27);
  conv2d_forward(y_nobias, x, w, {}, s);
  conv2d_forward(y_zero, x, w, std::vector<double>(3, 0.0), s);
  CHECK(y_nobias == y_zero);
  // Without dx the weight gradient is the same as with it.
  const auto dy = random_vector(27, 3);
  std::vector<double> dw1(81, 0.0), dw2(81, 0.0), dx(75, 0.0);
  conv2d_backward({}, dw1, {}, dy, x, w, s);
  conv2d_backward(dx, dw2, {}, dy, x, w, s);
  CHECK(dw1 == dw2);
}
