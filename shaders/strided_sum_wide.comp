#version 450
#extension GL_GOOGLE_include_directive : require
// strided_sum.comp for long sums: out[i] = beta * out[i] + sum_{j < J} x[i*stride_i + j*stride_j]
// with one WORKGROUP per i: its invocations split the j range, then add their partial sums in
// shared memory. A convolution's bias gradient sums 43,264 terms per channel for only 32
// channels: one invocation per channel would leave most of the machine idle.
// VEC4 (contiguous rows: stride_j 1, stride_i and J multiples of 4, x bound as RGBA32F) reads
// 4 terms per texelFetch: on lavapipe each fetch is a call, so this quarters the calls.
#include "common.glsl"

layout(constant_id = 3) const bool VEC4 = false;

layout(binding = 0) uniform samplerBuffer x;  // R32F, or RGBA32F when VEC4
layout(std430, binding = 1) buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint I, J, stride_i, stride_j;
  float beta;
} p;

shared float partial[gl_WorkGroupSize.x];

void main() {
  const uint i = gl_WorkGroupID.x, lid = gl_LocalInvocationID.x;
  float acc = 0.0;
  if (VEC4) {
    vec4 acc4 = vec4(0.0);
    const uint row = i * p.stride_i / 4u;
    for (uint j = lid; j < p.J / 4u; j += gl_WorkGroupSize.x) acc4 += texelFetch(x, int(row + j));
    acc = (acc4.x + acc4.y) + (acc4.z + acc4.w);
  } else {
    for (uint j = lid; j < p.J; j += gl_WorkGroupSize.x) acc += texelFetch(x, int(i * p.stride_i + j * p.stride_j)).x;
  }
  partial[lid] = acc;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2; s > 0; s >>= 1) {
    if (lid < s) partial[lid] += partial[lid + s];
    barrier();
  }
  if (lid == 0) o[i] = p.beta != 0.0 ? p.beta * o[i] + partial[0] : partial[0];
}
