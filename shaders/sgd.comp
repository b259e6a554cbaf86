#version 450
#extension GL_GOOGLE_include_directive : require
// SGD with optional momentum, Nesterov and L2-style weight decay (PyTorch, dampening 0), one
// dispatch over the flat parameter buffer (tests/reference/optim.hpp: sgd_step):
//   g' = g1 + wd w;  m = mu m + g';  update = nesterov ? g' + mu m : m  (or g' without momentum);
//   w -= lr update.
// g1 is the penalized, clipped loss gradient (optim_common.glsl). Bindings: 0 p, 1 g,
// 2 momentum buffer (not touched without FLAG_MOMENTUM), 3 step block, 4 clip result.
#define OPT_STEP_BINDING 3
#define OPT_CLIP_BINDING 4
#include "optim_common.glsl"

layout(std430, binding = 0) buffer P4 { vec4 p4[]; };
layout(std430, binding = 0) buffer P1 { float p1[]; };
layout(std430, binding = 1) readonly buffer G4 { vec4 g4[]; };
layout(std430, binding = 1) readonly buffer G1 { float g1[]; };
layout(std430, binding = 2) buffer M4 { vec4 m4[]; };
layout(std430, binding = 2) buffer M1 { float m1[]; };

void opt_update(uint q, uint cnt, float clip_scale) {
  vec4 w, g;
  OPT_LOAD(p, q, cnt, w)
  OPT_LOAD(g, q, cnt, g)
  const vec4 gd = opt_loss_grad(q, w, g, clip_scale) + pc.wd * w;
  vec4 update = gd;
  if ((pc.flags & FLAG_MOMENTUM) != 0u) {
    vec4 m;
    OPT_LOAD(m, q, cnt, m)
    m = pc.a * m + gd;
    OPT_STORE(m, q, cnt, m)
    update = (pc.flags & FLAG_NESTEROV) != 0u ? gd + pc.a * m : m;
  }
  w -= step_block.lr * update;
  OPT_STORE(p, q, cnt, w)
}
