// One 2x2 pool window of a convolution fused with its pool (nn/ops/conv2d.hpp), its 4 cells in
// row-major order as a vec4: returns the maximum and sets `cell` to the winner 0-3 as a float
// (4: none, when the fused ReLU zeroed the whole window: relu'(z) = 0 for every cell, so no
// gradient passes). Ties go to the first maximum, as maxpool2d_forward.comp. Shared by
// maxpool2x2_windows_forward.comp and gemm_texel_maxpool, which must agree bit for bit.
float window_max(vec4 v, bool relu, out float cell) {
  float best = v.x;
  cell = 0.0;
  if (v.y > best) best = v.y, cell = 1.0;
  if (v.z > best) best = v.z, cell = 2.0;
  if (v.w > best) best = v.w, cell = 3.0;
  if (relu && best == 0.0) cell = 4.0;
  return best;
}
