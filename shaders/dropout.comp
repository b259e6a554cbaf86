#version 450
#extension GL_GOOGLE_include_directive : require
// Dropout, forward and backward alike: y = keep(i) ? x * scale : 0 with scale = 1 / (1 - p).
// Backward runs the same kernel on dy (the mask is recomputed, never stored). keep(i) is the
// counter-based hash of tests/reference/dropout.hpp, bit for bit, on uint32 with wraparound:
//   h = seed ^ (step * 0x9E3779B9);  h = mix(h ^ (i * 0x85EBCA6B));  h = mix(h ^ step)
//   keep = (h >> 8) >= threshold,  threshold = ceil(p * 2^24) computed on the host in double
// `step` comes from the step block, so a recorded stream replayed at the next step draws a new
// mask. One vec4 per invocation (spec constant 3, VEC4: offsets 16-byte aligned), scalar tail.
#include "common.glsl"
#define STEP_BLOCK_BINDING 2
#include "step_block.glsl"

layout(constant_id = 3) const bool VEC4 = true;

layout(std430, binding = 0) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 0) readonly buffer X1 { float x1[]; };
layout(std430, binding = 1) writeonly buffer Y4 { vec4 y4[]; };
layout(std430, binding = 1) writeonly buffer Y1 { float y1[]; };
layout(push_constant) uniform Push {
  uint n;
  uint seed;
  uint threshold;  // ceil(p * 2^24), in [0, 2^24]
  float scale;     // 1 / (1 - p), 0 when p == 1
} p;

uvec4 mix_bits(uvec4 x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

// Multiplier per element: scale where kept, 0 where dropped.
vec4 keep_scale(uint first) {
  const uint step = step_block.step;
  const uvec4 index = uvec4(first) + uvec4(0u, 1u, 2u, 3u);
  uvec4 h = uvec4(p.seed ^ (step * 0x9E3779B9u));
  h = mix_bits(h ^ (index * 0x85EBCA6Bu));
  h = mix_bits(h ^ uvec4(step));
  return mix(vec4(0.0), vec4(p.scale), greaterThanEqual(h >> 8, uvec4(p.threshold)));
}

void main() {
  const uint i = global_index_1d();
  if (VEC4 && 4 * i + 4 <= p.n) {
    y4[i] = x4[i] * keep_scale(4 * i);
  } else if (4 * i < p.n) {
    const uint m = min(4u, p.n - 4 * i);
    const vec4 k = keep_scale(4 * i);
    for (uint j = 0; j < m; ++j) y1[4 * i + j] = x1[4 * i + j] * k[j];
  }
}
