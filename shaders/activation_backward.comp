#version 450
#extension GL_GOOGLE_include_directive : require
// dx = dy * f'(x) over n floats (written, not accumulated), f chosen by spec constant 3
// (activation.glsl); x is the forward INPUT. One vec4 per invocation, scalar tail as in
// activation_forward.comp (spec constant 4, VEC4: offsets are 16-byte aligned).
#include "common.glsl"
#include "activation.glsl"

layout(constant_id = 4) const bool VEC4 = true;  // every binding offset is a multiple of 16

layout(std430, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 0) readonly buffer X1 { float x1[]; };
layout(std430, binding = 1) readonly buffer DY4 { vec4 dy4[]; };
layout(std430, binding = 1) readonly buffer DY1 { float dy1[]; };
layout(std430, binding = 2) writeonly buffer DX4 { vec4 dx4[]; };
layout(std430, binding = 2) writeonly buffer DX1 { float dx1[]; };
layout(push_constant) uniform Push {
  uint n;
  float alpha;  // leaky relu slope
} p;

void main() {
  const uint i = global_index_1d();
  if (VEC4 && 4 * i + 4 <= p.n) {
    dx4[i] = dy4[i] * act_derivative(x4[i], p.alpha);
  } else if (4 * i < p.n) {
    const uint m = min(4u, p.n - 4 * i);
    vec4 x = vec4(0.0), g = vec4(0.0);
    for (uint k = 0; k < m; ++k) {
      x[k] = x1[4 * i + k];
      g[k] = dy1[4 * i + k];
    }
    g *= act_derivative(x, p.alpha);
    for (uint k = 0; k < m; ++k) dx1[4 * i + k] = g[k];
  }
}
