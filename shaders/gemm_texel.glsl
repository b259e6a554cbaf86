// GEMM for CPU Vulkan drivers (lavapipe), the general epilogue: C = alpha op(A) op(B) + beta C
// + bias, optional ReLU, stored row-major, blocked (c_block) or as split-K slabs. The register-
// tiled product itself is gemm_texel_body.glsl (shared with gemm_texel_maxpool.glsl). Compiled
// twice: gemm_texel and gemm_texel_sg (A shared by subgroup shuffle).
#include "gemm_texel_body.glsl"

// The epilogue's choices (EPI_*) are specialization constants: gemm_texel_body.glsl says why.
// VEC4_STORE: every row of C starts on a vec4 and N % 4 == 0 (for c_block: c_block % 4 == 0):
// the block is stored as whole vec4s (storage stores are per-lane loops on llvmpipe; one vec4
// store is one loop), else float by float.

// The same C as gemm_common.glsl's c[], seen as vec4s.
layout(std430, binding = 3) buffer OutVec4 { vec4 c4[]; };

void main() {
  if (!place_block()) return;
  float acc[TM][TN];
  accumulate(acc);

  for (uint i = 0; i < TM; ++i) {
    const uint m = m0 + i;
    if (m >= p.M) break;
    const float row_bias = bias_of_row(m);
    CColumns cc = c_columns(m, n0);
    if (VEC4_STORE) {
      for (uint v = 0; v < TN / 4; ++v) {
        const uint n = n0 + 4 * v;
        if (n >= p.N) break;
        const uint index = cc.base;  // c_block % 4 == 0: a vec4 never straddles two blocks
        vec4 r = p.alpha * vec4(acc[i][4 * v], acc[i][4 * v + 1], acc[i][4 * v + 2], acc[i][4 * v + 3]);
        if (EPI_BETA) r += p.beta * c4[index >> 2];
        if (EPI_BIAS == 2u) r += row_bias;
        if (EPI_BIAS == 1u) r += texelFetch(Bias, int(n >> 2));
        if (EPI_RELU) r = max(r, vec4(0.0));
        c4[index >> 2] = r;
        if (C_BLOCKED)
          for (uint k = 0; k < 4; ++k) c_next(cc);
        else
          cc.base += 4u;
      }
    } else {
      for (uint j = 0; j < TN; ++j, c_next(cc)) {
        const uint n = n0 + j;
        if (n >= p.N) break;
        const float col_bias = EPI_BIAS == 1u ? texelFetch(Bias, int(n >> 2))[n & 3u] : 0.0;
        c[cc.base] = epilogue(acc[i][j], cc.base, row_bias + col_bias);
      }
    }
  }
}
