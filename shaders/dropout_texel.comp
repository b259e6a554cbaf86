#version 450
#extension GL_GOOGLE_include_directive : require
// dropout.glsl reading x through an RGBA32F texel view (vec4_io.glsl says why).
#define VEC4_TEXEL
#include "dropout.glsl"
