#version 450
#extension GL_GOOGLE_include_directive : require
// y = f(x): activation_io.glsl, storage reads.
#include "activation_io.glsl"
