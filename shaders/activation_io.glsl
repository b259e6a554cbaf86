// Body of the activation kernels, forward (y = f(x)) and, with ACT_BACKWARD, backward
// (dx = dy * f'(x), written, not accumulated; x is the forward INPUT), f chosen by spec
// constant 3 (activation.glsl). Memory-bound: one vec4 per invocation, the last one partial
// when n is not a multiple of 4, read and written through vec4_io.glsl (the *_texel variants
// read through RGBA32F texel views). Spec constant 4 (VEC4): every storage offset is a
// multiple of 16; when false every access goes element by element.
// Bindings: forward 0 x, 1 y, 2 texel view of x; backward 0 x, 1 dy, 2 dx, 3 and 4 texel
// views of x and dy (views in the *_texel variants only).
#include "common.glsl"
#include "activation.glsl"

layout(constant_id = 4) const bool VEC4 = true;  // every binding offset is a multiple of 16
#define VEC4_ALIGNED VEC4
#include "vec4_io.glsl"

layout(push_constant) uniform Push {
  uint n;
  float alpha;  // leaky relu slope
} p;

#ifdef ACT_BACKWARD
VEC4_BUFFER(x, 0, 3, readonly)
VEC4_BUFFER(dy, 1, 4, readonly)
VEC4_OUT_BUFFER(dx, 2)
#else
VEC4_BUFFER(x, 0, 2, readonly)
VEC4_OUT_BUFFER(y, 1)
#endif

void main() {
  const uint q = global_index_1d();
  if (4u * q >= p.n) return;
  const uint cnt = min(4u, p.n - 4u * q);
  vec4 x;
  VEC4_LOAD(x, q, cnt, x)
#ifdef ACT_BACKWARD
  vec4 g;
  VEC4_LOAD(dy, q, cnt, g)
  g *= act_derivative(x, p.alpha);
  VEC4_STORE(dx, q, cnt, g)
#else
  const vec4 y = act_forward(x, p.alpha);
  VEC4_STORE(y, q, cnt, y)
#endif
}
