#version 450
#extension GL_GOOGLE_include_directive : require
// The pooling half of a convolution fused with the 2x2, stride-2 max pool after it
// (nn/ops/conv2d.hpp, Conv2dShape::pool). The convolution's GEMM wrote its output as
// yw (K, windows, 4): each pool window's 4 cells in row-major order are one vec4, read with one
// texelFetch. Writes the pooled output y (N, K, PH, PW) and which cell won, 0-3, as a float
// (argmax; 4 = none: the fused ReLU zeroed the whole window, so no gradient passes).
// Ties go to the first maximum in row-major window order, as maxpool2d_forward.comp.
// Grid: x = window (n, ph, pw), y = output channel; no integer division by a non-constant.
#include "common.glsl"
#include "maxpool2x2_window.glsl"

layout(constant_id = 3) const uint PHW = 1;  // PH * PW, pooled cells per image and channel
layout(constant_id = 4) const bool RELU = false;

layout(binding = 0) uniform samplerBuffer yw;  // RGBA32F: one window per fetch
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Argmax { float argmax[]; };
layout(push_constant) uniform Push {
  uint windows;  // N * PH * PW
  uint K;
} p;

void main() {
  const uint q = gl_GlobalInvocationID.x, k = gl_GlobalInvocationID.y;
  if (q >= p.windows) return;
  const vec4 v = texelFetch(yw, int(k * p.windows + q));
  float cell;
  const float best = window_max(v, RELU, cell);
  const uint n = q / PHW, pos = q % PHW;
  const uint o = (n * p.K + k) * PHW + pos;
  y[o] = best;
  argmax[o] = cell;
}
