#include "nn/ops/dense.hpp"

#include "nn/ops/gemm.hpp"
#include "nn/ops/strided_sum.hpp"

namespace vkt::nn {

void dense_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan W, DeviceSpan b, const DenseShape& d,
                   bool relu) {
  Gemm g;
  g.M = d.N;
  g.N = d.OUT;
  g.K = d.IN;
  g.trans_b = true;  // W is (OUT, IN): op(B) = Wᵀ
  g.bias = b.empty() ? BiasMode::None : BiasMode::PerColumn;
  g.relu = relu;
  gemm(s, g, x, W, b, y);
}

void dense_backward(Stream& s, DeviceSpan dx, DeviceSpan dW, DeviceSpan db, DeviceSpan dy, DeviceSpan x,
                    DeviceSpan W, const DenseShape& d) {
  if (!dx.empty()) {
    Gemm g;  // dx (N, IN) = dy (N, OUT) · W (OUT, IN)
    g.M = d.N;
    g.N = d.IN;
    g.K = d.OUT;
    gemm(s, g, dy, W, {}, dx);
  }
  Gemm g;  // dW (OUT, IN) = dyᵀ (OUT, N) · x (N, IN)
  g.M = d.OUT;
  g.N = d.IN;
  g.K = d.N;
  g.trans_a = true;
  gemm(s, g, dy, x, {}, dW);
  if (!db.empty()) strided_sum(s, db, dy, d.OUT, d.N, 1, d.OUT);
}

}  // namespace vkt::nn
