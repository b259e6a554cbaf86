#include <doctest/doctest.h>

#include <array>
#include <stdexcept>

#include <cmath>

#include "tests/reference/dense.hpp"
#include "tests/reference/gradcheck.hpp"

using namespace vkt::ref;

namespace {
// Row-major transpose of an (rows, cols) matrix.
std::vector<double> transpose(const std::vector<double>& a, int rows, int cols) {
  std::vector<double> t(a.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) t[size_t(c) * rows + r] = a[size_t(r) * cols + c];
  return t;
}
}  // namespace

TEST_CASE("reference: gemm by hand and with every transpose combination") {
  // [1 2 3; 4 5 6] * [7 8; 9 10; 11 12] = [58 64; 139 154]
  const std::vector<double> A{1, 2, 3, 4, 5, 6}, B{7, 8, 9, 10, 11, 12};
  std::vector<double> C{1, 1, 1, 1};
  gemm(false, false, 2, 2, 3, 1.0, A, B, 0.0, C);
  CHECK(C == std::vector<double>{58, 64, 139, 154});
  gemm(false, false, 2, 2, 3, 2.0, A, B, -1.0, C);  // 2AB - C = AB
  CHECK(C == std::vector<double>{58, 64, 139, 154});
  std::vector<double> garbage(4, NAN);
  gemm(false, false, 2, 2, 3, 1.0, A, B, 0.0, garbage);  // beta == 0: C is not read
  CHECK(garbage == std::vector<double>{58, 64, 139, 154});

  const int M = 3, N = 5, K = 7;
  const auto a = random_vector(size_t(M) * K, 1), b = random_vector(size_t(K) * N, 2), c0 = random_vector(size_t(M) * N, 3);
  std::vector<double> expect = c0;
  gemm(false, false, M, N, K, 0.5, a, b, 0.25, expect);
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      std::vector<double> c = c0;
      gemm(ta, tb, M, N, K, 0.5, ta ? transpose(a, M, K) : a, tb ? transpose(b, K, N) : b, 0.25, c);
      CAPTURE(ta);
      CAPTURE(tb);
      CHECK(max_abs_diff(c, expect) < 1e-14);
    }
  CHECK_THROWS_AS(gemm(false, false, M, N, K, 1.0, a, a, 0.0, expect), std::invalid_argument);
}

TEST_CASE("reference: dense forward by hand and equal to gemm") {
  // x = [1 2], W = [[1 0], [0 1], [1 1]], b = [0.5, -1, 0] -> y = [1.5, 1, 3]
  std::vector<double> y(3);
  dense_forward(y, std::vector<double>{1, 2}, std::vector<double>{1, 0, 0, 1, 1, 1}, std::vector<double>{0.5, -1, 0}, 1,
                2, 3);
  CHECK(y == std::vector<double>{1.5, 1, 3});

  const int N = 3, IN = 7, OUT = 5;
  const auto x = random_vector(size_t(N) * IN, 4), W = random_vector(size_t(OUT) * IN, 5);
  std::vector<double> yd(size_t(N) * OUT), yg(size_t(N) * OUT);
  dense_forward(yd, x, W, {}, N, IN, OUT);
  gemm(false, true, N, OUT, IN, 1.0, x, W, 0.0, yg);
  CHECK(max_abs_diff(yd, yg) < 1e-14);
}

TEST_CASE("reference: dense backward matches finite differences") {
  struct Case { int N, IN, OUT; bool bias; };
  for (const Case cs : {Case{1, 1, 1, true}, Case{1, 3, 7, true}, Case{3, 7, 5, false}, Case{7, 5, 3, true}}) {
    CAPTURE(cs.N);
    CAPTURE(cs.IN);
    CAPTURE(cs.OUT);
    const ForwardFn fwd = [cs](const Inputs& in) {
      std::vector<double> y(size_t(cs.N) * cs.OUT);
      dense_forward(y, in[0], in[1], cs.bias ? std::span<const double>(in[2]) : std::span<const double>(), cs.N, cs.IN,
                    cs.OUT);
      return y;
    };
    const BackwardFn bwd = [cs](const Inputs& in, const std::vector<double>& dy, Inputs& g) {
      dense_backward(g[0], g[1], cs.bias ? std::span<double>(g[2]) : std::span<double>(), dy, in[0], in[1], cs.N,
                     cs.IN, cs.OUT);
    };
    const Inputs in{random_vector(size_t(cs.N) * cs.IN, 10), random_vector(size_t(cs.OUT) * cs.IN, 11),
                    random_vector(size_t(cs.OUT), 12)};
    const auto res = check_forward_backward(fwd, bwd, in, 99, cs.bias ? std::vector<size_t>{} : std::vector<size_t>{2});
    for (size_t k = 0; k < (cs.bias ? 3u : 2u); ++k) {
      INFO("input " << k << ": " << res[k].message());
      CHECK(res[k].ok(1e-6));
    }
  }
}
