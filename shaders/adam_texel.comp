#version 450
#extension GL_GOOGLE_include_directive : require
// adam.glsl reading whole vec4s through RGBA32F texel views (bindings 6 p, 7 g, 8 m, 9 v):
// optim_common.glsl says why.
#define OPT_TEXEL
#include "adam.glsl"
