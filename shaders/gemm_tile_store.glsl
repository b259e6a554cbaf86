// The epilogue of the register-tiled GEMM kernels (gemm_tiled.glsl, gemm_subgroup.comp): an
// invocation's TM x TN block of C, rows m0.., columns n0.., through gemm_common.glsl's
// epilogue (alpha, beta, bias, ReLU, c_block, split-K slab, batch z). Needs TM, TN, the bias
// binding `bias` and gemm_common.glsl.
void store_tile(float acc[TM][TN], uint m0, uint n0) {
  for (uint i = 0; i < TM; ++i) {
    const uint m = m0 + i;
    if (m >= p.M) break;
    CColumns cc = c_columns(m, n0);
    for (uint j = 0; j < TN; ++j, c_next(cc)) {
      const uint n = n0 + j;
      if (n >= p.N) break;
      const float bias_value = p.bias_mode == 1u ? bias[n] : (p.bias_mode == 2u ? bias[m] : 0.0);
      c[cc.base] = epilogue(acc[i][j], cc.base, bias_value);
    }
  }
}
