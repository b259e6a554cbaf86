#version 450
#extension GL_GOOGLE_include_directive : require
// strided_sum.comp for contiguous rows (stride_i 1): out[i] = beta * out[i] + sum_{j < J}
// x[i + j * stride_j], 4 outputs per invocation and one RGBA32F fetch per row (stride_j and
// I multiples of 4): a layer's bias gradient summed over a batch or over the Winograd tiles
// (1,600 x 64), split-K slabs. The loop is over rows, so each invocation makes J fetches
// and one store of 4 floats, where one invocation per output made 4 times the calls and, on
// the wide kernel, a workgroup and 6 barriers per output.
#include "common.glsl"

layout(binding = 0) uniform samplerBuffer x;  // RGBA32F
layout(std430, binding = 1) buffer Out { vec4 o4[]; };
layout(push_constant) uniform Push {
  uint I, J, stride_i, stride_j;
  float beta;
} p;

void main() {
  const uint q = global_index_1d();  // outputs 4q .. 4q+3
  if (q >= p.I / 4u) return;
  vec4 acc = vec4(0.0);
  for (uint j = 0u; j < p.J; ++j) acc += texelFetch(x, int(q + j * (p.stride_j / 4u)));
  o4[q] = p.beta != 0.0 ? p.beta * o4[q] + acc : acc;
}
