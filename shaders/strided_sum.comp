#version 450
#extension GL_GOOGLE_include_directive : require
// out[i] = beta * out[i] + sum_{j < J} x[i * stride_i + j * stride_j], one invocation per i.
// Bias gradients: a dense layer's db sums dy (N, OUT) over rows (stride_i 1, stride_j OUT);
// a convolution's db sums dy (K, N*OH*OW) along rows (stride_i N*OH*OW, stride_j 1).
// These are short (<= a few thousand terms) and few, so one invocation per output is enough.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint I, J, stride_i, stride_j;
  float beta;
} p;

void main() {
  const uint i = global_index_1d();
  if (i >= p.I) return;
  float acc = 0.0;
  for (uint j = 0; j < p.J; ++j) acc += x[i * p.stride_i + j * p.stride_j];
  o[i] = p.beta != 0.0 ? p.beta * o[i] + acc : acc;
}
