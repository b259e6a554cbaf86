#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of maxpool2x2_windows_forward.comp: dyw (K, windows, 4) gets the pooled
// gradient dy (N, K, PH, PW) at the winning cell of each window and 0 at the other three (all
// four when argmax is 4). dyw is what the convolution's weight- and data-gradient GEMMs read,
// already channel-major: no transpose pass. One vec4 store per window.
#include "common.glsl"

layout(constant_id = 3) const uint PHW = 1;  // PH * PW

layout(binding = 0) uniform samplerBuffer dy;      // R32F
layout(binding = 1) uniform samplerBuffer argmax;  // R32F
layout(std430, binding = 2) writeonly buffer DYW { vec4 dyw[]; };
layout(push_constant) uniform Push {
  uint windows;  // N * PH * PW
  uint K;
} p;

void main() {
  const uint q = gl_GlobalInvocationID.x, k = gl_GlobalInvocationID.y;
  if (q >= p.windows) return;
  const uint n = q / PHW, pos = q % PHW;
  const int src = int((n * p.K + k) * PHW + pos);
  const float g = texelFetch(dy, src).x, cell = texelFetch(argmax, src).x;
  // A select, not a multiply by the mask: 0 * inf would turn the other cells into NaN.
  dyw[k * p.windows + q] = mix(vec4(0.0), vec4(g), equal(vec4(cell), vec4(0.0, 1.0, 2.0, 3.0)));
}
