// Convolution geometry shared by im2col.comp and col2im.comp; mirrors nn/ops/conv2d.cpp.
// x is (N, C, H, W); the column matrix is (P, LDCOL) with one row per output pixel
// p = (n, oh, ow) and one column per (c, r, s), zero-padded from C*R*S up to LDCOL.
// Everything but the batch is a specialization constant: a kernel is built per layer shape,
// and divisions by constants become multiplications (llvmpipe has no vector integer divide).
layout(constant_id = 3) const uint C = 1;
layout(constant_id = 4) const uint H = 1;
layout(constant_id = 5) const uint W = 1;
layout(constant_id = 6) const uint R = 1;
layout(constant_id = 7) const uint S = 1;
layout(constant_id = 8) const uint OH = 1;
layout(constant_id = 9) const uint OW = 1;
layout(constant_id = 10) const uint SH = 1;
layout(constant_id = 11) const uint SW = 1;
layout(constant_id = 12) const uint PH = 0;
layout(constant_id = 13) const uint PW = 0;
layout(constant_id = 14) const uint LDCOL = 1;

layout(push_constant) uniform Push {
  uint N;
} p;
