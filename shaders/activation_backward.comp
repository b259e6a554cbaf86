#version 450
#extension GL_GOOGLE_include_directive : require
// dx = dy * f'(x): activation_io.glsl, storage reads.
#define ACT_BACKWARD
#include "activation_io.glsl"
