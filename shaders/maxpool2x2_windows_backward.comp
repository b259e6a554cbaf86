#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of maxpool2x2_windows_forward.comp: dyw (K, windows, 4) gets the pooled
// gradient dy (N, K, PH, PW) at the winning cell of each window and 0 at the other three (all
// four when argmax is 4). dyw is what the convolution's weight- and data-gradient GEMMs read,
// already channel-major: no transpose pass. One vec4 store per window.
// Each invocation handles WINDOWS_PER_INV consecutive windows of one channel and also writes
// the sum of the gradient it passed on to bias_partial[k][chunk]: the convolution's bias
// gradient is the sum of those partials, which reads a sixteenth of the data that summing
// dyw's rows would (nn/ops/conv2d.cpp).
#include "common.glsl"

layout(constant_id = 3) const uint PHW = 1;  // PH * PW
layout(constant_id = 4) const uint WINDOWS_PER_INV = 16;

layout(binding = 0) uniform samplerBuffer dy;      // R32F
layout(binding = 1) uniform samplerBuffer argmax;  // R32F
layout(std430, binding = 2) writeonly buffer DYW { vec4 dyw[]; };
layout(std430, binding = 3) writeonly buffer BiasPartial { float bias_partial[]; };
layout(push_constant) uniform Push {
  uint windows;  // N * PH * PW
  uint K;
  uint chunks;   // ceil(windows / WINDOWS_PER_INV)
} p;

void main() {
  const uint chunk = gl_GlobalInvocationID.x, k = gl_GlobalInvocationID.y;
  if (chunk >= p.chunks) return;
  const uint first = chunk * WINDOWS_PER_INV;
  uint n = first / PHW, pos = first % PHW;
  float sum = 0.0;
  for (uint t = 0u; t < WINDOWS_PER_INV; ++t) {
    const uint q = first + t;
    if (q >= p.windows) break;
    const int src = int((n * p.K + k) * PHW + pos);
    const float g = texelFetch(dy, src).x, cell = texelFetch(argmax, src).x;
    // A select, not a multiply by the mask: 0 * inf would turn the other cells into NaN.
    dyw[k * p.windows + q] = mix(vec4(0.0), vec4(g), equal(vec4(cell), vec4(0.0, 1.0, 2.0, 3.0)));
    sum += cell < 3.5 ? g : 0.0;
    if (++pos == PHW) pos = 0u, ++n;
  }
  bias_partial[k * p.chunks + chunk] = sum;
}
