#version 450
#extension GL_GOOGLE_include_directive : require
// dropout.glsl with storage reads.
#include "dropout.glsl"
