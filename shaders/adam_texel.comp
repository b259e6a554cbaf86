#version 450
#extension GL_GOOGLE_include_directive : require
// adam.glsl reading whole vec4s through RGBA32F texel views (bindings 6 p, 7 g, 8 m, 9 v):
// vec4_io.glsl says why.
#define VEC4_TEXEL
#include "adam.glsl"
