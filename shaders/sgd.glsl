// SGD with optional momentum, Nesterov and L2-style weight decay (PyTorch, dampening 0), one
// dispatch over the flat parameter buffer (tests/reference/optim.hpp: sgd_step):
//   g' = g1 + wd w;  m = mu m + g';  update = nesterov ? g' + mu m : m  (or g' without momentum);
//   w -= lr update.
// g1 is the penalized, clipped loss gradient (optim_common.glsl). Bindings: 0 p, 1 g,
// 2 momentum buffer (not touched without FLAG_MOMENTUM), 3 step block, 4 clip result,
// 5-7 texel views of p, g, m (VEC4_TEXEL only).
#define OPT_STEP_BINDING 3
#define OPT_CLIP_BINDING 4
#define OPT_TEXEL_BINDING 5
#include "optim_common.glsl"

VEC4_BUFFER(m, 2, OPT_TEXEL_BINDING + 2, )

void opt_update(uint q, uint cnt, OptStep st) {
  vec4 w, g;
  VEC4_LOAD(p, q, cnt, w)
  VEC4_LOAD(g, q, cnt, g)
  const vec4 gd = opt_loss_grad(q, w, g, st.clip_scale) + pc.wd * w;
  vec4 update = gd;
  if ((pc.flags & FLAG_MOMENTUM) != 0u) {
    vec4 m;
    VEC4_LOAD(m, q, cnt, m)
    m = pc.a * m + gd;
    VEC4_STORE(m, q, cnt, m)
    update = (pc.flags & FLAG_NESTEROV) != 0u ? gd + pc.a * m : m;
  }
  w -= st.lr * update;
  VEC4_STORE(p, q, cnt, w)
}
