#pragma once
// Dense (fully connected) layer and a general matrix multiply, in double.
// All matrices are row-major, densely packed (leading dimension = number of columns).
#include <span>

namespace vkt::ref {

// C = alpha * op(A) * op(B) + beta * C, with op(X) = X or X^T.
//   op(A) is (M, K): A is stored (M, K) if !transA, (K, M) if transA.
//   op(B) is (K, N): B is stored (K, N) if !transB, (N, K) if transB.
//   C is (M, N).
// As in BLAS, beta == 0 means C is not read (so garbage/NaN in C does not propagate).
// Accumulates each dot product in double in k order.
void gemm(bool transA, bool transB, int M, int N, int K, double alpha,
          std::span<const double> A,  // (M, K) or (K, M) if transA
          std::span<const double> B,  // (K, N) or (N, K) if transB
          double beta,
          std::span<double> C);       // (M, N)

// y = x * W^T + b.  b may be empty (no bias).
void dense_forward(std::span<double> y,        // (N, OUT)  output, overwritten
                   std::span<const double> x,  // (N, IN)
                   std::span<const double> W,  // (OUT, IN)  PyTorch nn.Linear layout
                   std::span<const double> b,  // (OUT) or empty
                   int N, int IN, int OUT);

// Adds the gradients: dx += dy * W, dW += dy^T * x, db += sum_n dy[n, :].
// dx and db may be empty (first layer / no bias); callers zero the outputs beforehand.
void dense_backward(std::span<double> dx,        // (N, IN) or empty
                    std::span<double> dW,        // (OUT, IN)
                    std::span<double> db,        // (OUT) or empty
                    std::span<const double> dy,  // (N, OUT)
                    std::span<const double> x,   // (N, IN)
                    std::span<const double> W,   // (OUT, IN)
                    int N, int IN, int OUT);

}  // namespace vkt::ref
