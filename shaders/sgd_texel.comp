#version 450
#extension GL_GOOGLE_include_directive : require
// sgd.glsl reading whole vec4s through RGBA32F texel views (bindings 5 p, 6 g, 7 m):
// vec4_io.glsl says why.
#define VEC4_TEXEL
#include "sgd.glsl"
