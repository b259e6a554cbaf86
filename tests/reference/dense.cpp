#include "tests/reference/dense.hpp"

#include "tests/reference/common.hpp"

namespace vkt::ref {

using detail::check_optional_size;
using detail::check_size;

void gemm(bool transA, bool transB, int M, int N, int K, double alpha, std::span<const double> A,
          std::span<const double> B, double beta, std::span<double> C) {
  if (M < 0 || N < 0 || K < 0) throw std::invalid_argument("gemm: negative dimension");
  check_size(A.size(), size_t(M) * K, "gemm", "A");
  check_size(B.size(), size_t(K) * N, "gemm", "B");
  check_size(C.size(), size_t(M) * N, "gemm", "C");
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) {
      double acc = 0;
      for (int k = 0; k < K; ++k) {
        const double a = transA ? A[size_t(k) * M + i] : A[size_t(i) * K + k];
        const double b = transB ? B[size_t(j) * K + k] : B[size_t(k) * N + j];
        acc += a * b;
      }
      double& c = C[size_t(i) * N + j];
      c = beta == 0.0 ? alpha * acc : alpha * acc + beta * c;
    }
  }
}

void dense_forward(std::span<double> y, std::span<const double> x, std::span<const double> W,
                   std::span<const double> b, int N, int IN, int OUT) {
  check_size(y.size(), size_t(N) * OUT, "dense_forward", "y");
  check_size(x.size(), size_t(N) * IN, "dense_forward", "x");
  check_size(W.size(), size_t(OUT) * IN, "dense_forward", "W");
  check_optional_size(b.size(), size_t(OUT), "dense_forward", "b");
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < OUT; ++o) {
      double acc = b.empty() ? 0.0 : b[o];
      for (int i = 0; i < IN; ++i) acc += x[size_t(n) * IN + i] * W[size_t(o) * IN + i];
      y[size_t(n) * OUT + o] = acc;
    }
}

void dense_backward(std::span<double> dx, std::span<double> dW, std::span<double> db, std::span<const double> dy,
                    std::span<const double> x, std::span<const double> W, int N, int IN, int OUT) {
  check_optional_size(dx.size(), size_t(N) * IN, "dense_backward", "dx");
  check_size(dW.size(), size_t(OUT) * IN, "dense_backward", "dW");
  check_optional_size(db.size(), size_t(OUT), "dense_backward", "db");
  check_size(dy.size(), size_t(N) * OUT, "dense_backward", "dy");
  check_size(x.size(), size_t(N) * IN, "dense_backward", "x");
  check_size(W.size(), size_t(OUT) * IN, "dense_backward", "W");
  // dx[n, i] += sum_o dy[n, o] W[o, i]; summed in a local so the += happens once per element.
  if (!dx.empty())
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < IN; ++i) {
        double acc = 0;
        for (int o = 0; o < OUT; ++o) acc += dy[size_t(n) * OUT + o] * W[size_t(o) * IN + i];
        dx[size_t(n) * IN + i] += acc;
      }
  // dW[o, i] += sum_n dy[n, o] x[n, i]
  for (int o = 0; o < OUT; ++o)
    for (int i = 0; i < IN; ++i) {
      double acc = 0;
      for (int n = 0; n < N; ++n) acc += dy[size_t(n) * OUT + o] * x[size_t(n) * IN + i];
      dW[size_t(o) * IN + i] += acc;
    }
  if (!db.empty())
    for (int o = 0; o < OUT; ++o) {
      double acc = 0;
      for (int n = 0; n < N; ++n) acc += dy[size_t(n) * OUT + o];
      db[o] += acc;
    }
}

}  // namespace vkt::ref
