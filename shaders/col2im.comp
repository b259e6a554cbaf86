#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of im2col: dx[n, c, ih, iw] = sum of dcol[(n, oh, ow)][(c, r, s)] over every
// (r, s) whose window places input pixel (ih, iw) at output (oh, ow); outputs without a row
// (dropped by a fused pool, conv2d_common.glsl) add nothing. One invocation per dx
// element gathers its terms, so no two invocations write the same address (no atomics).
#include "common.glsl"
#include "conv2d_common.glsl"

layout(binding = 0) uniform samplerBuffer dcol;  // R32F: one float per fetch
layout(std430, binding = 1) writeonly buffer DX { float dx[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= p.N * C * H * W) return;
  const uint iw = id % W, ih = (id / W) % H, c = (id / (W * H)) % C, n = id / (W * H * C);
  // Output rows that see input row ih: oh*SH + r = ih + PH with 0 <= r < R, 0 <= oh < OH.
  const int hs = int(ih + PH), ws = int(iw + PW);
  const int oh_lo = max(0, (hs - int(R) + int(SH)) / int(SH)), oh_hi = min(int(OH) - 1, hs / int(SH));
  const int ow_lo = max(0, (ws - int(S) + int(SW)) / int(SW)), ow_hi = min(int(OW) - 1, ws / int(SW));
  float acc = 0.0;
  for (int oh = oh_lo; oh <= oh_hi; ++oh) {
    const uint r = uint(hs - oh * int(SH));
    for (int ow = ow_lo; ow <= ow_hi; ++ow) {
      const uint s = uint(ws - ow * int(SW));
      uint row;
      if (pixel_row(n, uint(oh), uint(ow), row)) acc += texelFetch(dcol, int(row * LDCOL + (c * R + r) * S + s)).x;
    }
  }
  dx[id] = acc;
}
