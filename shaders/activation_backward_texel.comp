#version 450
#extension GL_GOOGLE_include_directive : require
// dx = dy * f'(x): activation_io.glsl, x and dy read through RGBA32F texel views
// (vec4_io.glsl says why).
#define ACT_BACKWARD
#define VEC4_TEXEL
#include "activation_io.glsl"
