#version 450
#extension GL_GOOGLE_include_directive : require
// RMSprop, PyTorch form without momentum or centering, one dispatch over the flat parameter
// buffer (tests/reference/optim.hpp: rmsprop_step):
//   g' = g1 + wd w;  v = alpha v + (1-alpha) g'^2;  w -= lr g' / (sqrt(v) + eps).
// g1 is the penalized, clipped loss gradient (optim_common.glsl). Bindings: 0 p, 1 g,
// 2 v (square average), 3 step block, 4 clip result.
#define OPT_STEP_BINDING 3
#define OPT_CLIP_BINDING 4
#include "optim_common.glsl"

layout(std430, binding = 0) buffer P4 { vec4 p4[]; };
layout(std430, binding = 0) buffer P1 { float p1[]; };
layout(std430, binding = 1) readonly buffer G4 { vec4 g4[]; };
layout(std430, binding = 1) readonly buffer G1 { float g1[]; };
layout(std430, binding = 2) buffer V4 { vec4 v4[]; };
layout(std430, binding = 2) buffer V1 { float v1[]; };

void opt_update(uint q, uint cnt, float clip_scale) {
  vec4 w, g, v;
  OPT_LOAD(p, q, cnt, w)
  OPT_LOAD(g, q, cnt, g)
  OPT_LOAD(v, q, cnt, v)
  const vec4 gd = opt_loss_grad(q, w, g, clip_scale) + pc.wd * w;
  v = pc.a * v + pc.one_minus_a * (gd * gd);
  w -= step_block.lr * gd / (sqrt(v) + pc.eps);
  OPT_STORE(v, q, cnt, v)
  OPT_STORE(p, q, cnt, w)
}
