// Convolution geometry shared by im2col.comp and col2im.comp; mirrors nn/ops/conv2d.hpp:
// Conv2dPush. x is (N, C, H, W); the column matrix is (P, ldcol) with one row per output pixel
// p = (n, oh, ow) and one column per (c, r, s), zero-padded from C*R*S up to ldcol.
layout(push_constant) uniform Push {
  uint N, C, H, W;
  uint R, S, OH, OW;
  uint sh, sw, ph, pw;
  uint ldcol;
} p;
