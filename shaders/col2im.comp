#version 450
#extension GL_GOOGLE_include_directive : require
// The adjoint of im2col: dx[n, c, ih, iw] = sum of dcol[(n, oh, ow)][(c, r, s)] over every
// (r, s) whose window places input pixel (ih, iw) at output (oh, ow). One invocation per dx
// element gathers its terms, so no two invocations write the same address (no atomics).
#include "common.glsl"
#include "conv2d_common.glsl"

layout(std430, binding = 0) readonly buffer Col { float dcol[]; };
layout(std430, binding = 1) writeonly buffer DX { float dx[]; };

void main() {
  const uint id = global_index_1d();
  if (id >= p.N * p.C * p.H * p.W) return;
  const uint iw = id % p.W, ih = (id / p.W) % p.H, c = (id / (p.W * p.H)) % p.C, n = id / (p.W * p.H * p.C);
  float acc = 0.0;
  for (uint r = 0; r < p.R; ++r) {
    const int oh_s = int(ih + p.ph) - int(r);  // = oh * sh when this r contributes
    if (oh_s < 0 || oh_s % int(p.sh) != 0) continue;
    const uint oh = uint(oh_s) / p.sh;
    if (oh >= p.OH) continue;
    for (uint s = 0; s < p.S; ++s) {
      const int ow_s = int(iw + p.pw) - int(s);
      if (ow_s < 0 || ow_s % int(p.sw) != 0) continue;
      const uint ow = uint(ow_s) / p.sw;
      if (ow >= p.OW) continue;
      acc += dcol[((n * p.OH + oh) * p.OW + ow) * p.ldcol + (c * p.R + r) * p.S + s];
    }
  }
  dx[id] = acc;
}
