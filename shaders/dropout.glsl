// Dropout, forward and backward alike: y = keep(i) ? x * scale : 0 with scale = 1 / (1 - p).
// Backward runs the same kernel on dy (the mask is recomputed, never stored). keep(i) is the
// counter-based hash of tests/reference/dropout.hpp, bit for bit, on uint32 with wraparound:
//   h = seed ^ (step * 0x9E3779B9);  h = mix(h ^ (i * 0x85EBCA6B));  h = mix(h ^ step)
//   keep = (h >> 8) >= threshold,  threshold = ceil(p * 2^24) computed on the host in double
// `step` comes from the step block, so a recorded stream replayed at the next step draws a new
// mask. One vec4 per invocation, the last one partial, through vec4_io.glsl (spec constant 3,
// VEC4: offsets 16-byte aligned); dropout_texel reads x through an RGBA32F texel view.
// Bindings: 0 x, 1 y, 2 step block, 3 texel view of x (texel variant only).
#include "common.glsl"
#define STEP_BLOCK_BINDING 2
#include "step_block.glsl"

layout(constant_id = 3) const bool VEC4 = true;
#define VEC4_ALIGNED VEC4
#include "vec4_io.glsl"

VEC4_BUFFER(x, 0, 3, readonly)
VEC4_OUT_BUFFER(y, 1)
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
vec4 keep_scale(uint first, uint step) {
  const uvec4 index = uvec4(first) + uvec4(0u, 1u, 2u, 3u);
  uvec4 h = uvec4(p.seed ^ (step * 0x9E3779B9u));
  h = mix_bits(h ^ (index * 0x85EBCA6Bu));
  h = mix_bits(h ^ uvec4(step));
  return mix(vec4(0.0), vec4(p.scale), greaterThanEqual(h >> 8, uvec4(p.threshold)));
}

void main() {
  const uint q = global_index_1d();
  if (4u * q >= p.n) return;
  const uint cnt = min(4u, p.n - 4u * q);
  vec4 v;
  VEC4_LOAD(x, q, cnt, v)
  v *= keep_scale(4u * q, step_block.step);
  VEC4_STORE(y, q, cnt, v)
}
