#version 450
#extension GL_GOOGLE_include_directive : require
// out (outer, B, A, L) = in (outer, A, B, L) with axes A and B swapped: NCHW <-> CNHW for the
// convolution's GEMMs, or (outer = K filters, L = 1) its weights (K, C, RS) -> (K, RS, C).
// One invocation per output element, in order: A, B and L are specialization constants, so
// the index arithmetic divides by constants (multiplications; llvmpipe has no vector integer
// divide), and short rows (L = 9, or 1) leave no lanes idle, as a grid over (l, a, b) did.
#include "common.glsl"

layout(constant_id = 3) const uint A = 1;
layout(constant_id = 4) const uint B = 1;
layout(constant_id = 5) const uint L = 1;

layout(binding = 0) uniform samplerBuffer src;  // R32F: one float per fetch
layout(std430, binding = 1) writeonly buffer Out { float dst[]; };
layout(push_constant) uniform Push {
  uint count;  // outer * A * B * L
} p;

void main() {
  const uint id = global_index_1d();
  if (id >= p.count) return;
  const uint l = id % L, a = (id / L) % A, b = (id / (L * A)) % B, o = id / (L * A * B);
  dst[id] = texelFetch(src, int(((o * A + a) * B + b) * L + l)).x;
}
