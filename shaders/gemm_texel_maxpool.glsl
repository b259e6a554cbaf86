// The texel GEMM of a convolution fused with the 2x2, stride-2 max pool after it
// (nn/ops/conv2d.hpp, Conv2dShape::pool): its N columns are col rows grouped by pool window, 4
// consecutive columns one window, so each vec4 of an invocation's accumulators is a window.
// The epilogue adds the bias, applies the ReLU, and stores only the pooled maximum y (N images,
// M channels, PHW cells) and the winning cell 0-3 as a float (4: the ReLU zeroed the whole
// window): what gemm_texel.comp + maxpool2x2_windows_forward.comp compute, bit for bit,
// without writing the un-pooled output and reading it back.
#include "gemm_texel_body.glsl"
#include "maxpool2x2_window.glsl"

layout(constant_id = 10) const uint PHW = 1;  // pooled cells per image and channel

// binding 3 (gemm_common.glsl's c[]) is the pooled y.
layout(std430, binding = 4) writeonly buffer Argmax { float argmax[]; };

void main() {
  if (!place_block()) return;
  float acc[TM][TN];
  accumulate(acc);

  for (uint i = 0; i < TM; ++i) {
    const uint m = m0 + i;
    if (m >= p.M) break;
    const float row_bias = bias_of_row(m);
    for (uint w = 0; w < TN / 4; ++w) {
      const uint q = n0 / 4u + w;  // the window
      if (4u * q >= p.N) break;
      vec4 v = p.alpha * vec4(acc[i][4 * w], acc[i][4 * w + 1], acc[i][4 * w + 2], acc[i][4 * w + 3]) + row_bias;
      if (EPI_RELU) v = max(v, vec4(0.0));
      float cell;
      const float best = window_max(v, EPI_RELU, cell);
      const uint o = ((q / PHW) * p.M + m) * PHW + q % PHW;
      c[o] = best;
      argmax[o] = cell;
    }
  }
}
