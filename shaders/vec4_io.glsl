// Reading and writing a float buffer a vec4 at a time with a 1-3 element tail, for the
// memory-bound elementwise kernels (optimizers, activations, dropout).
//
// VEC4_BUFFER(NAME, B, TB, QUAL) declares the storage binding B twice, as NAME4 (vec4[]) and
// NAME1 (float[]), and with VEC4_TEXEL also the RGBA32F uniform texel view NAME_t of the same
// range on binding TB (QUAL: readonly, writeonly or nothing). On lavapipe a storage-buffer
// load is a per-lane loop with a bounds check per component, a texelFetch is branch-free:
// VEC4_LOAD reads through the view when there is one. Writes always go to the storage
// binding; an invocation reads its own elements before it writes them, so a view and a
// storage binding of one range never race.
//
// VEC4_OUT_BUFFER(NAME, B) declares an output only (no view): NAME4 and NAME1, writeonly.
//
// VEC4_LOAD(NAME, q, cnt, dst) / VEC4_STORE(NAME, q, cnt, src): vec4 q, of which `cnt` (4, or
// 1-3 for the tail) elements exist. Storage reads of the tail read the missing elements as 0;
// a texel read fetches the tail vec4 whole, whatever lies past the span (padding or the next
// tensor: the host binds views only at 16-byte aligned offsets, so the view covers it). The
// kernels' formulas are elementwise, so those elements are computed on and never stored.
//
// Write the update ONCE for a per-invocation `cnt`, not once for whole vec4s and again for the
// tail: llvmpipe runs both sides of a divergent branch with masked lanes, so a second copy
// runs for every vec4. The branches here are short (a load or store, or a loop that ends at
// once when no lane is in the tail).
//
// A shader may define VEC4_ALIGNED (e.g. to a specialization constant) before including: when
// false, every access goes element by element (spans not 16-byte aligned).
#ifndef VEC4_ALIGNED
#define VEC4_ALIGNED true
#endif

#define VEC4_OUT_BUFFER(NAME, B)                                             \
  layout(std430, binding = B) writeonly buffer NAME##_B4 { vec4 NAME##4[]; };  \
  layout(std430, binding = B) writeonly buffer NAME##_B1 { float NAME##1[]; };

#ifdef VEC4_TEXEL
#define VEC4_BUFFER(NAME, B, TB, QUAL)                                    \
  layout(std430, binding = B) QUAL buffer NAME##_B4 { vec4 NAME##4[]; };  \
  layout(std430, binding = B) QUAL buffer NAME##_B1 { float NAME##1[]; }; \
  layout(binding = TB) uniform samplerBuffer NAME##_t;
#define VEC4_LOAD(NAME, q, cnt, dst) dst = texelFetch(NAME##_t, int(q));
#else
#define VEC4_BUFFER(NAME, B, TB, QUAL)                                    \
  layout(std430, binding = B) QUAL buffer NAME##_B4 { vec4 NAME##4[]; };  \
  layout(std430, binding = B) QUAL buffer NAME##_B1 { float NAME##1[]; };
#define VEC4_LOAD(NAME, q, cnt, dst)                                      \
  if (VEC4_ALIGNED && (cnt) == 4u) {                                      \
    dst = NAME##4[q];                                                     \
  } else {                                                                \
    dst = vec4(0.0);                                                      \
    for (uint c_ = 0u; c_ < (cnt); ++c_) dst[c_] = NAME##1[4u * (q) + c_]; \
  }
#endif
#define VEC4_STORE(NAME, q, cnt, src)                                      \
  if (VEC4_ALIGNED && (cnt) == 4u) {                                       \
    NAME##4[q] = src;                                                      \
  } else {                                                                 \
    for (uint c_ = 0u; c_ < (cnt); ++c_) NAME##1[4u * (q) + c_] = src[c_]; \
  }
