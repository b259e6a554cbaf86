#version 450
#extension GL_GOOGLE_include_directive : require
// A model's first convolution when its input has few channels (the seed CNNs' conv1: 1 or 3),
// computed directly and fused with bias, ReLU and the 2x2, stride-2 max pool
// (nn/ops/conv2d_direct.hpp says when): no column matrix, no GEMM. One invocation per pool
// window: its input patch ((SH + R) x (SW + S) per channel) is fetched once into registers,
// then every filter in turn is applied to the window's 4 cells.
//
// Why this beats im2col + GEMM there (llvmpipe): the weights are read at literal indices
// outside any branch, which llvmpipe loads once for all 8 lanes (a scalar load and a
// broadcast; loaded lane by lane, the kernel was 3-4x slower), and each filter's 4 accumulators stay in registers, where the GEMM's 16 x 8
// blocks live on the stack; a product with K = C·R·S = 9 is all overhead around few
// multiply-adds. Stores and winners are as gemm_texel_maxpool's: the pooled maximum y
// and the winning cell (maxpool2x2_window.glsl), (N, K, PH, PW), or (N, PH, PW, K) with
// Y_NHWC, 4 filters per vec4 store. (Storing the uniform way, uniform_store.glsl, as the
// Winograd transforms do, was measured no faster here: 2.09 vs 2.18 ms for cnn.conv1 at b64.)
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"
#include "maxpool2x2_window.glsl"
#include "conv2d_direct_common.glsl"

layout(constant_id = 17) const bool RELU = false;
layout(constant_id = 18) const bool BIAS = false;

layout(push_constant) uniform Push { uint N; } p;

layout(std430, binding = 1) readonly buffer Weights { float w[]; };  // (K, C, R, S)
layout(std430, binding = 2) readonly buffer Bias { float b[]; };     // (K); read only with BIAS
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(std430, binding = 4) writeonly buffer Argmax { float argmax[]; };
layout(std430, binding = 3) writeonly buffer Y4 { vec4 y4[]; };  // Y_NHWC: 4 filters per store
layout(std430, binding = 4) writeonly buffer Argmax4 { vec4 argmax4[]; };

void main() {
  const uint windows = p.N * PH * PW;
  // No early return: a branch around the weight loads would make llvmpipe load them lane by
  // lane. Lanes past the end compute the last window again and do not store.
  const uint id = global_index_1d();
  const bool live = id < windows;
  const uint q = min(id, windows - 1u);
  uint n, py, px;
  window_of(q, n, py, px);

  float tile[C * TR * TC];
  [[unroll]] for (uint c = 0u; c < C; ++c)
    [[unroll]] for (uint i = 0u; i < TR; ++i)
      [[unroll]] for (uint j = 0u; j < TC; ++j) tile[(c * TR + i) * TC + j] = patch_value(n, py, px, c, i, j);

  [[unroll]] for (uint k0 = 0u; k0 < K; k0 += 4u) {
    vec4 best, cell;
    [[unroll]] for (uint f = 0u; f < 4u; ++f) {
      const uint k = k0 + f;
      vec4 acc = vec4(0.0);  // cells (0,0), (0,1), (1,0), (1,1) of the window
      [[unroll]] for (uint c = 0u; c < C; ++c) {
        [[unroll]] for (uint r = 0u; r < R; ++r) {
          [[unroll]] for (uint s = 0u; s < S; ++s) {
            const float wv = w[((k * C + c) * R + r) * S + s];
            const uint t = (c * TR + r) * TC + s;
            acc += wv * vec4(tile[t], tile[t + SW], tile[t + SH * TC], tile[t + SH * TC + SW]);
          }
        }
      }
      if (BIAS) acc += b[k];
      if (RELU) acc = max(acc, vec4(0.0));
      best[f] = window_max(acc, RELU, cell[f]);
    }
    if (live) {
      if (Y_NHWC) {
        y4[(q * K + k0) >> 2u] = best;
        argmax4[(q * K + k0) >> 2u] = cell;
      } else {
        [[unroll]] for (uint f = 0u; f < 4u; ++f) {
          const uint o = ((n * K + k0 + f) * PH + py) * PW + px;
          y[o] = best[f];
          argmax[o] = cell[f];
        }
      }
    }
  }
}
