// Shared by conv2d_direct_pool.comp and conv2d_direct_pool_backward.comp (nn/ops/
// conv2d_direct.hpp): the layer's geometry as specialization constants (3-16) and the input
// patch of one pool window. A window (n, py, px) covers conv outputs (2py + a, 2px + b),
// a, b in {0, 1}, which read the TR x TC input patch at (2·SH·py - PAD_H, 2·SW·px - PAD_W)
// per channel; cell a·2 + b's tap (r, s) is patch entry (a·SH + r, b·SW + s).
layout(constant_id = 3) const uint C = 1;
layout(constant_id = 4) const uint H = 1;
layout(constant_id = 5) const uint W = 1;
layout(constant_id = 6) const uint K = 4;  // a multiple of 4
layout(constant_id = 7) const uint R = 1;
layout(constant_id = 8) const uint S = 1;
layout(constant_id = 9) const uint SH = 1;
layout(constant_id = 10) const uint SW = 1;
layout(constant_id = 11) const uint PAD_H = 0;
layout(constant_id = 12) const uint PAD_W = 0;
layout(constant_id = 13) const uint PH = 1;  // pooled output size
layout(constant_id = 14) const uint PW = 1;
layout(constant_id = 15) const bool X_NHWC = false;  // x is (N, H, W, C)
layout(constant_id = 16) const bool Y_NHWC = false;  // y, dy and the winners are (N, PH, PW, K)

layout(binding = 0) uniform samplerBuffer x;  // R32F: (N, C, H, W), or (N, H, W, C) with X_NHWC

const uint TR = SH + R, TC = SW + S;  // the patch of a window's 2 x 2 cells

// Window q's image and pooled position.
void window_of(uint q, out uint n, out uint py, out uint px) {
  n = q / (PH * PW), py = (q / PW) % PH, px = q % PW;
}

// Patch entry (i, j) of channel c for window (n, py, px): x there, 0 in the padding. Branch-
// free: the address is clamped into the image, the value selected.
float patch_value(uint n, uint py, uint px, uint c, uint i, uint j) {
  const int iy = int(2u * SH * py + i) - int(PAD_H), ix = int(2u * SW * px + j) - int(PAD_W);
  const bool inside = iy >= 0 && iy < int(H) && ix >= 0 && ix < int(W);
  const uint yy = uint(clamp(iy, 0, int(H) - 1)), xx = uint(clamp(ix, 0, int(W) - 1));
  const uint at = X_NHWC ? ((n * H + yy) * W + xx) * C + c : ((n * C + c) * H + yy) * W + xx;
  const float v = texelFetch(x, int(at)).x;
  return inside ? v : 0.0;
}
