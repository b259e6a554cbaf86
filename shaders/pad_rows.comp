#version 450
#extension GL_GOOGLE_include_directive : require
// dst (rows, ld_dst) = src (rows, cols) with each row zero-padded from cols to ld_dst, so a
// matrix with ragged rows (a 1-channel 3x3 convolution's weights: 9 columns) can be read
// as whole vec4s by gemm_texel.
#include "common.glsl"

layout(std430, binding = 0) readonly buffer In { float src[]; };
layout(std430, binding = 1) writeonly buffer Out { float dst[]; };
layout(push_constant) uniform Push {
  uint rows, cols, ld_src, ld_dst;
  uint first_col;  // src's column read first
} p;

void main() {
  const uint id = global_index_1d();
  if (id >= p.rows * p.ld_dst) return;
  const uint c = id % p.ld_dst, r = id / p.ld_dst;
  dst[id] = c < p.cols ? src[r * p.ld_src + p.first_col + c] : 0.0;
}
