#include <doctest/doctest.h>

#include <array>
#include <stdexcept>

#include "tests/reference/gradcheck.hpp"
#include "tests/reference/pool.hpp"

using namespace vkt::ref;

TEST_CASE("reference: max-pool with padding by hand") {
  // x = [1 -2 3; -4 5 -6; 7 -8 -9], 2x2 window, stride 2, padding 1 -> 2x2 output.
  // Windows (rows/cols in padded coordinates): {1}, {-2,3}, {-4,7}, {5,-6,-8,-9}.
  const std::vector<double> x{1, -2, 3, -4, 5, -6, 7, -8, -9};
  const Pool2dShape s{.N = 1, .C = 1, .H = 3, .W = 3, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .ph = 1, .pw = 1};
  std::vector<double> y(4);
  std::vector<int32_t> am(4);
  maxpool2d_forward(y, am, x, s);
  CHECK(y == std::vector<double>{1, 3, 7, 5});
  CHECK(am == std::vector<int32_t>{0, 2, 6, 4});

  // All-negative input: padding (-inf) must never win over a real cell.
  const std::vector<double> neg{-5, -6, -7, -8};
  const Pool2dShape s2{.N = 1, .C = 1, .H = 2, .W = 2, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1};
  std::vector<double> y2(4);
  std::vector<int32_t> am2(4);
  maxpool2d_forward(y2, am2, neg, s2);
  CHECK(y2 == std::vector<double>{-5, -5, -5, -5});
  CHECK(am2 == std::vector<int32_t>{0, 0, 0, 0});

  // Ties: the first maximum in row-major window order wins.
  const std::vector<double> tie{2, 2, 2, 2};
  const Pool2dShape s3{.N = 1, .C = 1, .H = 2, .W = 2, .kh = 2, .kw = 2, .sh = 1, .sw = 1};
  std::vector<double> y3(1);
  std::vector<int32_t> am3(1);
  maxpool2d_forward(y3, am3, tie, s3);
  CHECK(am3[0] == 0);
  const std::vector<double> tie2{1, 2, 2, 1};
  maxpool2d_forward(y3, am3, tie2, s3);
  CHECK(am3[0] == 1);

  // Overlapping windows choosing the same cell add their gradients.
  std::vector<double> dx(4, 0.0);
  maxpool2d_backward(dx, std::vector<double>{1, 2, 3, 4}, am2, s2);
  CHECK(dx == std::vector<double>{10, 0, 0, 0});

  CHECK_THROWS_AS(maxpool2d_forward(y, am, x, Pool2dShape{.H = 3, .W = 3, .kh = 2, .kw = 2, .ph = 2, .pw = 2}),
                  std::invalid_argument);  // padding > kernel/2
}

TEST_CASE("reference: avg-pool counts padding in the divisor, global average pool") {
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  const Pool2dShape s{.N = 1, .C = 1, .H = 3, .W = 3, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .ph = 1, .pw = 1};
  std::vector<double> y(4);
  avgpool2d_forward(y, x, s);
  // windows {1}, {2,3}, {4,7}, {5,6,8,9}, always divided by 4
  CHECK(y == std::vector<double>{0.25, 1.25, 2.75, 7.0});
  std::vector<double> dx(9, 0.0);
  avgpool2d_backward(dx, std::vector<double>{4, 8, 12, 16}, s);
  CHECK(dx == std::vector<double>{1, 2, 2, 3, 4, 4, 3, 4, 4});

  std::vector<double> g(2);
  const std::vector<double> x2{1, 2, 3, 4, 10, 20, 30, 40};  // (1, 2, 2, 2)
  global_avgpool_forward(g, x2, 1, 2, 2, 2);
  CHECK(g == std::vector<double>{2.5, 25});
  std::vector<double> dx2(8, 1.0);
  global_avgpool_backward(dx2, std::vector<double>{4, -8}, 1, 2, 2, 2);
  CHECK(dx2 == std::vector<double>{2, 2, 2, 2, -1, -1, -1, -1});
}

namespace {
const Pool2dShape kPoolCases[] = {
    {.N = 1, .C = 1, .H = 1, .W = 1, .kh = 1, .kw = 1, .sh = 1, .sw = 1},
    {.N = 1, .C = 3, .H = 7, .W = 7, .kh = 2, .kw = 2, .sh = 2, .sw = 2},
    {.N = 3, .C = 5, .H = 7, .W = 5, .kh = 3, .kw = 3, .sh = 2, .sw = 2, .ph = 1, .pw = 1},
    {.N = 1, .C = 3, .H = 7, .W = 7, .kh = 5, .kw = 5, .sh = 1, .sw = 2, .ph = 2, .pw = 2},
    {.N = 3, .C = 3, .H = 5, .W = 7, .kh = 3, .kw = 2, .sh = 1, .sw = 1, .ph = 1, .pw = 0},
};
}  // namespace

TEST_CASE("reference: max-pool backward matches finite differences") {
  for (const auto& s : kPoolCases) {
    CAPTURE(s.N);
    CAPTURE(s.C);
    CAPTURE(s.H);
    CAPTURE(s.kh);
    CAPTURE(s.ph);
    const size_t out = size_t(s.N) * s.C * s.OH() * s.OW();
    const ForwardFn fwd = [s, out](const Inputs& in) {
      std::vector<double> y(out);
      std::vector<int32_t> am(out);
      maxpool2d_forward(y, am, in[0], s);
      return y;
    };
    const BackwardFn bwd = [s, out](const Inputs& in, const std::vector<double>& dy, Inputs& g) {
      std::vector<double> y(out);
      std::vector<int32_t> am(out);
      maxpool2d_forward(y, am, in[0], s);
      maxpool2d_backward(g[0], dy, am, s);
    };
    // Distinct values 0.01 apart: no ties, and a 1e-6 step cannot change any argmax.
    const auto res = check_forward_backward(fwd, bwd, {random_distinct(size_t(s.N) * s.C * s.H * s.W, 4, 0.01)});
    INFO(res[0].message());
    CHECK(res[0].ok(1e-6));
  }
}

TEST_CASE("reference: avg-pool and global average pool backward match finite differences") {
  for (const auto& s : kPoolCases) {
    CAPTURE(s.N);
    CAPTURE(s.C);
    CAPTURE(s.H);
    CAPTURE(s.kh);
    CAPTURE(s.ph);
    const ForwardFn fwd = [s](const Inputs& in) {
      std::vector<double> y(size_t(s.N) * s.C * s.OH() * s.OW());
      avgpool2d_forward(y, in[0], s);
      return y;
    };
    const BackwardFn bwd = [s](const Inputs&, const std::vector<double>& dy, Inputs& g) {
      avgpool2d_backward(g[0], dy, s);
    };
    const auto res = check_forward_backward(fwd, bwd, {random_vector(size_t(s.N) * s.C * s.H * s.W, 5)});
    INFO(res[0].message());
    CHECK(res[0].ok(1e-6));
  }
  for (const auto& shape : {std::array{1, 1, 1, 1}, std::array{3, 5, 7, 3}, std::array{1, 3, 1, 7}}) {
    const int N = shape[0], C = shape[1], H = shape[2], W = shape[3];
    const ForwardFn fwd = [=](const Inputs& in) {
      std::vector<double> y(size_t(N) * C);
      global_avgpool_forward(y, in[0], N, C, H, W);
      return y;
    };
    const BackwardFn bwd = [=](const Inputs&, const std::vector<double>& dy, Inputs& g) {
      global_avgpool_backward(g[0], dy, N, C, H, W);
    };
    const auto res = check_forward_backward(fwd, bwd, {random_vector(size_t(N) * C * H * W, 6)});
    INFO(res[0].message());
    CHECK(res[0].ok(1e-6));
  }
}
