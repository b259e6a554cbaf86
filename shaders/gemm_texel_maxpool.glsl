// The texel GEMM of a convolution fused with the 2x2, stride-2 max pool after it
// (nn/ops/conv2d.hpp, Conv2dShape::pool): its N columns are col rows grouped by pool window, 4
// consecutive columns one window, so each vec4 of an invocation's accumulators is a window.
// The epilogue adds the bias, applies the ReLU, and stores only the pooled maximum y (N images,
// M channels, PHW cells; with POOL_NHWC (N, PHW, M)) and the winning cell 0-3 as a float (4: the ReLU zeroed the whole
// window): what gemm_texel + maxpool2x2_windows_forward.comp compute, bit for bit,
// without writing the un-pooled output and reading it back.
#extension GL_EXT_control_flow_attributes : require
#include "gemm_texel_body.glsl"
#include "maxpool2x2_window.glsl"


// binding 3 (gemm_common.glsl's c[]) is the pooled y.
layout(std430, binding = 4) writeonly buffer Argmax { float argmax[]; };
// The same, as vec4s, for channels-last storage (POOL_NHWC): 4 channels of a window per store.
layout(std430, binding = 3) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, binding = 4) writeonly buffer Argmax4 { vec4 argmax4[]; };

// One window (4 accumulators of a block row, bias row_bias) pooled: its maximum, and the
// winner in `cell`. Takes the window, not the block: an array argument is a copy, which NIR
// keeps where the loops around a call are not unrolled yet (7x slower).
float pooled(vec4 window, float row_bias, out float cell) {
  vec4 v = p.alpha * window + row_bias;
  if (EPI_RELU) v = max(v, vec4(0.0));
  return window_max(v, EPI_RELU, cell);
}

// Window w of block row i.
#define WINDOW(i, w) vec4(acc[i][4 * (w)], acc[i][4 * (w) + 1], acc[i][4 * (w) + 2], acc[i][4 * (w) + 3])

void main() {
  if (!place_block()) return;
  float acc[TM][TN];
  accumulate(acc);

  if (POOL_NHWC) {  // (N, PH, PW, M): window q's channels m .. m+3 are one vec4
    // No break in these loops (a store guard instead): they must unroll, or acc is indexed
    // at run time.
    [[unroll]] for (uint g = 0; g < TM / 4; ++g) {
      const uint m = m0 + 4 * g;
      const vec4 rb = vec4(bias_of_row(m), bias_of_row(m + 1), bias_of_row(m + 2), bias_of_row(m + 3));
      [[unroll]] for (uint w = 0; w < TN / 4; ++w) {
        const uint q = n0 / 4u + w;  // the window
        float c0, c1, c2, c3;
        const vec4 best = vec4(pooled(WINDOW(4 * g, w), rb.x, c0), pooled(WINDOW(4 * g + 1, w), rb.y, c1),
                               pooled(WINDOW(4 * g + 2, w), rb.z, c2), pooled(WINDOW(4 * g + 3, w), rb.w, c3));
        if (m < p.M && 4u * q < p.N) {
          y4[(q * p.M + m) >> 2] = best;
          argmax4[(q * p.M + m) >> 2] = vec4(c0, c1, c2, c3);
        }
      }
    }
    return;
  }
  for (uint i = 0; i < TM; ++i) {
    const uint m = m0 + i;
    if (m >= p.M) break;
    const float row_bias = bias_of_row(m);
    for (uint w = 0; w < TN / 4; ++w) {
      const uint q = n0 / 4u + w;  // the window
      if (4u * q >= p.N) break;
      float cell;
      const float best = pooled(WINDOW(i, w), row_bias, cell);
      const uint o = ((q / PHW) * p.M + m) * PHW + q % PHW;
      c[o] = best;
      argmax[o] = cell;
    }
  }
}
