#version 450
#extension GL_GOOGLE_include_directive : require
// GEMM for CPU Vulkan drivers (lavapipe), the general epilogue: C = alpha op(A) op(B) + beta C
// + bias, optional ReLU, stored row-major, blocked (c_block) or as split-K slabs. The register-
// tiled product itself is gemm_texel_body.glsl (shared with gemm_texel_maxpool.comp).
#include "gemm_texel_body.glsl"

// The same C as gemm_common.glsl's c[], seen as vec4s: a row of 4 outputs in one store where
// it is aligned (storage stores are per-lane loops on llvmpipe; one vec4 store is one loop).
layout(std430, binding = 3) buffer OutVec4 { vec4 c4[]; };

void main() {
  n0 = block_x() * TN;
  m0 = gl_GlobalInvocationID.y * TM;
  if (m0 >= p.M || n0 >= p.N) return;
  float acc[TM][TN];
  accumulate(acc);

  // Whole vec4 stores when every row of this block starts on a vec4 and is full.
  const bool vec4_rows = (p.c_block == 0u ? p.ldc % 4u == 0u : p.c_block % 4u == 0u) && p.split_stride % 4u == 0u &&
                         n0 + TN <= p.N;
  for (uint i = 0; i < TM; ++i) {
    const uint m = m0 + i;
    if (m >= p.M) break;
    const float row_bias = p.bias_mode == 2u ? texelFetch(Bias, int(m >> 2))[m & 3u] : 0.0;
    CColumns cc = c_columns(m, n0);
    if (vec4_rows) {
      for (uint v = 0; v < TN / 4; ++v) {
        const uint n = n0 + 4 * v;
        const uint index = cc.base;  // c_block % 4 == 0: a vec4 never straddles two blocks
        vec4 bias4 = vec4(row_bias);
        if (p.bias_mode == 1u) bias4 += texelFetch(Bias, int(n >> 2));
        vec4 r = p.alpha * vec4(acc[i][4 * v], acc[i][4 * v + 1], acc[i][4 * v + 2], acc[i][4 * v + 3]);
        if (p.beta != 0.0) r += p.beta * c4[index >> 2];
        r += bias4;
        if (p.relu != 0u) r = max(r, vec4(0.0));
        c4[index >> 2] = r;
        for (uint k = 0; k < 4; ++k) c_next(cc);
      }
      continue;
    }
    for (uint j = 0; j < TN; ++j, c_next(cc)) {
      const uint n = n0 + j;
      if (n >= p.N) break;
      const float col_bias = p.bias_mode == 1u ? texelFetch(Bias, int(n >> 2))[n & 3u] : 0.0;
      c[cc.base] = epilogue(acc[i][j], cc.base, row_bias + col_bias);
    }
  }
}
