// Shared by the optimizer kernels (sgd, adam, rmsprop, adagrad): one dispatch updates a
// flat parameter buffer p (n floats) from its flat gradient g and the optimizer's moment
// buffers, all the same length. Mirrors OptimPush in nn/optim/optimizer.cpp.
//
// Every buffer is read and written a vec4 at a time with a 1-3 element tail (vec4_io.glsl); the
// *_texel.comp variants (VEC4_TEXEL) read through RGBA32F texel views, several times faster on
// lavapipe. Each invocation updates VEC_PER_INV vec4s, strided by the workgroup size so
// neighbouring lanes touch neighbouring memory. The update is written once for a per-vec4
// element count: a separate call for the tail ran the whole update twice on lavapipe
// (vec4_io.glsl says why; it cost ~40% of the kernel).
//
// Per element, in this order (nn/optim/optimizer.hpp states the same):
//   g1 = g + [i < n_reg] (l1 sign(w) + 2 l2 w)   Keras kernel_regularizer, weights only
//   g1 *= clip_scale                             global-norm clipping, when FLAG_CLIP
//   then the optimizer's own rule, whose weight decay uses w before this step.
// Per-step values (lr, Adam's bias corrections) come from the step block, never from push
// constants, so a recorded step replays unchanged.
//
// A shader defines OPT_STEP_BINDING, OPT_CLIP_BINDING and OPT_TEXEL_BINDING (the first texel
// view: p, then g, then its moments in storage-binding order) before including this file.

#include "common.glsl"
#include "vec4_io.glsl"

#define STEP_BLOCK_BINDING OPT_STEP_BINDING
#include "step_block.glsl"

layout(constant_id = 3) const uint VEC_PER_INV = 4;

const uint FLAG_CLIP = 1u;       // multiply g1 by clip.scale
const uint FLAG_MOMENTUM = 2u;   // SGD: keep a momentum buffer
const uint FLAG_NESTEROV = 4u;   // SGD: Nesterov update
const uint FLAG_DECOUPLED = 8u;  // Adam: AdamW's decoupled weight decay

layout(push_constant) uniform Push {
  uint n;            // elements in p, g and the moments
  uint n_reg;        // elements [0, n_reg) get the L1/L2 penalty gradient
  uint flags;        // FLAG_*
  float l1;          // L1 penalty factor
  float l2x2;        // 2 * l2: the L2 penalty's gradient factor
  float wd;          // weight decay (L2-style, or decoupled for AdamW)
  float a;           // SGD: momentum; Adam: beta1; RMSprop: alpha
  float one_minus_a; // 1 - a, computed in double on the host (1 - 0.999f errs by 1e-5)
  float b;           // Adam: beta2
  float one_minus_b; // 1 - b
  float eps;         // Adam, RMSprop, Adagrad
} pc;

layout(std430, binding = OPT_CLIP_BINDING) readonly buffer ClipResult {
  float scale;  // min(1, max_norm / norm), written by grad_norm.comp
  float norm;
} clip;

// p and g, the same in every optimizer: storage bindings 0 and 1.
VEC4_BUFFER(p, 0, OPT_TEXEL_BINDING, )
VEC4_BUFFER(g, 1, OPT_TEXEL_BINDING + 1, readonly)

// Per-dispatch values, read once per invocation: a step-block or clip-result read is a
// storage-buffer load (a per-lane loop on lavapipe), too dear to repeat for every vec4.
struct OptStep {
  float lr;          // step_block.lr
  float bc1, bc2;    // step_block.bias_correction1, 2 (Adam)
  float clip_scale;  // clip.scale with FLAG_CLIP, else 1
};

// The loss gradient of vec4 q: g plus the L1/L2 penalty gradient on weights, clipped.
vec4 opt_loss_grad(uint q, vec4 w, vec4 g, float clip_scale) {
  const vec4 reg = vec4(lessThan(uvec4(4u * q) + uvec4(0u, 1u, 2u, 3u), uvec4(pc.n_reg)));
  return (g + reg * (pc.l1 * sign(w) + pc.l2x2 * w)) * clip_scale;
}

// Updates the cnt (1-4) elements of vec4 q; main() calls it for every vec4 this invocation owns.
void opt_update(uint q, uint cnt, OptStep st);

void main() {
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  const uint base = group * gl_WorkGroupSize.x * VEC_PER_INV + gl_LocalInvocationID.x;
  const uint vecs = (pc.n + 3u) / 4u;
  OptStep st;
  st.lr = step_block.lr;
  st.bc1 = step_block.bias_correction1;
  st.bc2 = step_block.bias_correction2;
  st.clip_scale = (pc.flags & FLAG_CLIP) != 0u ? clip.scale : 1.0;
  for (uint j = 0u; j < VEC_PER_INV; ++j) {
    const uint q = base + j * gl_WorkGroupSize.x;
    if (q < vecs) opt_update(q, min(pc.n - 4u * q, 4u), st);
  }
}
