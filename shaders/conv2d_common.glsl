// Convolution geometry shared by im2col.comp and col2im; mirrors nn/ops/conv2d.cpp.
// x is (N, C, H, W); the column matrix has one row per output pixel and one column per
// (c, r, s), zero-padded from C*R*S up to LDCOL. Row order:
//   POOL 0: raster order, row = (n, oh, ow).
//   POOL 2: a fused 2x2, stride-2 max pool follows (Conv2dShape::pool): rows are grouped by
//   pool window, row = ((n, ph, pw), dh, dw), so each window's 4 outputs are one vec4 of the
//   GEMM's output. Output pixels in no window (the last row/column of an odd-sized output)
//   have no row: the pool never reads them, so they are never computed.
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
layout(constant_id = 15) const uint POOL = 0;
const uint PH_OUT = OH / 2u, PW_OUT = OW / 2u;  // the pooled size, when POOL == 2
// x (and dx) channels-last, (N, H, W, C): the boundary between two convolutions on a CPU
// driver (nn/ops/conv2d.hpp, Conv2dShape::x_channels_last).
layout(constant_id = 17) const bool X_NHWC = false;

// Where x[n, c, y, x] (or dx's) lives.
uint image_index(uint n, uint c, uint y, uint x) { return X_NHWC ? ((n * H + y) * W + x) * C + c : ((n * C + c) * H + y) * W + x; }

layout(push_constant) uniform Push {
  uint N;
  uint ident[16];  // 0..15 (uniform_store.glsl; col2im's UNIFORM_STORE)
} p;

uint col_rows() { return POOL == 0u ? p.N * OH * OW : p.N * PH_OUT * PW_OUT * 4u; }

// The output pixel of column-matrix row `row`.
void row_pixel(uint row, out uint n, out uint oh, out uint ow) {
  if (POOL == 0u) {
    ow = row % OW;
    oh = (row / OW) % OH;
    n = row / (OW * OH);
    return;
  }
  const uint window = row >> 2u, cell = row & 3u;
  const uint pw = window % PW_OUT, ph = (window / PW_OUT) % PH_OUT;
  n = window / (PW_OUT * PH_OUT);
  oh = 2u * ph + (cell >> 1u);
  ow = 2u * pw + (cell & 1u);
}

// The column-matrix row of output pixel (n, oh, ow); false when the pixel has none.
bool pixel_row(uint n, uint oh, uint ow, out uint row) {
  if (POOL == 0u) {
    row = (n * OH + oh) * OW + ow;
    return true;
  }
  row = ((n * PH_OUT + (oh >> 1u)) * PW_OUT + (ow >> 1u)) * 4u + (oh & 1u) * 2u + (ow & 1u);
  return oh < 2u * PH_OUT && ow < 2u * PW_OUT;
}
