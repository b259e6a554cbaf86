// The data set as the gather kernels read it (nn/data/device_dataset.hpp): up to 4 chunks of
// whole uint8 images packed into 32-bit words, the labels (packed bytes) and the epoch's index
// list, at bindings 0-5, through storage buffers or, with GATHER_TEXEL, R32UI texel views.
// Specialization constant 3 (CHUNKS) is the number of chunk bindings in use.
layout(constant_id = 3) const uint CHUNKS = 4;  // chunk bindings in use, 1-4

#ifdef GATHER_TEXEL
layout(binding = 0) uniform usamplerBuffer chunk0;
layout(binding = 1) uniform usamplerBuffer chunk1;
layout(binding = 2) uniform usamplerBuffer chunk2;
layout(binding = 3) uniform usamplerBuffer chunk3;
layout(binding = 4) uniform usamplerBuffer labels;
layout(binding = 5) uniform usamplerBuffer indices;
#define GATHER_WORD(NAME, i) texelFetch(NAME, int(i)).r
#else
layout(std430, binding = 0) readonly buffer Chunk0 { uint chunk0[]; };
layout(std430, binding = 1) readonly buffer Chunk1 { uint chunk1[]; };
layout(std430, binding = 2) readonly buffer Chunk2 { uint chunk2[]; };
layout(std430, binding = 3) readonly buffer Chunk3 { uint chunk3[]; };
layout(std430, binding = 4) readonly buffer Labels { uint labels[]; };
layout(std430, binding = 5) readonly buffer Indices { uint indices[]; };
#define GATHER_WORD(NAME, i) NAME[i]
#endif

// Word w (bytes 4w .. 4w+3) of a chunk.
uint word_at(uint chunk, uint w) {
  if (CHUNKS == 1u || chunk == 0u) return GATHER_WORD(chunk0, w);
  if (CHUNKS == 2u || chunk == 1u) return GATHER_WORD(chunk1, w);
  if (CHUNKS == 3u || chunk == 2u) return GATHER_WORD(chunk2, w);
  return GATHER_WORD(chunk3, w);
}

uint byte_of(uint word, uint k) { return (word >> (k * 8u)) & 0xFFu; }
