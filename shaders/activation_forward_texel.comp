#version 450
#extension GL_GOOGLE_include_directive : require
// y = f(x): activation_io.glsl, x read through an RGBA32F texel view (vec4_io.glsl says why).
#define VEC4_TEXEL
#include "activation_io.glsl"
