#version 450
#extension GL_GOOGLE_include_directive : require
// gather_batch.glsl reading through storage bindings: the fallback where R32UI texel views
// are not possible (gather_batch_texel.comp).
#include "gather_batch.glsl"
