#version 450
#extension GL_GOOGLE_include_directive : require
// y = a + b over n floats (residual connections). One vec4 per invocation (spec constant 3,
// VEC4: offsets 16-byte aligned), scalar tail.
#include "common.glsl"

layout(constant_id = 3) const bool VEC4 = true;

layout(std430, binding = 0) readonly buffer A4 { vec4 a4[]; };
layout(std430, binding = 0) readonly buffer A1 { float a1[]; };
layout(std430, binding = 1) readonly buffer B4 { vec4 b4[]; };
layout(std430, binding = 1) readonly buffer B1 { float b1[]; };
layout(std430, binding = 2) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, binding = 2) writeonly buffer Y1 { float y1[]; };
layout(push_constant) uniform Push {
  uint n;
} p;

void main() {
  const uint i = global_index_1d();
  if (VEC4 && 4 * i + 4 <= p.n) {
    y4[i] = a4[i] + b4[i];
  } else if (4 * i < p.n) {
    const uint m = min(4u, p.n - 4 * i);
    for (uint j = 0; j < m; ++j) y1[4 * i + j] = a1[4 * i + j] + b1[4 * i + j];
  }
}
