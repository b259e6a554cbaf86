#version 450
#extension GL_GOOGLE_include_directive : require
// y = f(x) over n floats, f chosen by spec constant 3 (activation.glsl). Memory-bound: each
// invocation handles one vec4; the last one, when n is not a multiple of 4, goes element by
// element. The vec4 and float views alias the same binding; the vec4 path needs
// 16-byte aligned spans: the host sets spec constant 4 (VEC4) only when every offset is a
// multiple of 16, else every invocation takes the element-by-element path.
#include "common.glsl"
#include "activation.glsl"

layout(constant_id = 4) const bool VEC4 = true;  // every binding offset is a multiple of 16

layout(std430, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 0) readonly buffer X1 { float x1[]; };
layout(std430, binding = 1) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, binding = 1) writeonly buffer Y1 { float y1[]; };
layout(push_constant) uniform Push {
  uint n;
  float alpha;  // leaky relu slope
} p;

void main() {
  const uint i = global_index_1d();
  if (VEC4 && 4 * i + 4 <= p.n) {
    y4[i] = act_forward(x4[i], p.alpha);
  } else if (4 * i < p.n) {
    const uint m = min(4u, p.n - 4 * i);
    vec4 v = vec4(0.0);
    for (uint k = 0; k < m; ++k) v[k] = x1[4 * i + k];
    v = act_forward(v, p.alpha);
    for (uint k = 0; k < m; ++k) y1[4 * i + k] = v[k];
  }
}
