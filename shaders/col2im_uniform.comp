#version 450
#extension GL_GOOGLE_include_directive : require
// col2im.glsl, channels-last, storing the uniform way (uniform_store.glsl) 4 floats per vec4.
#define COL2IM_UNIFORM
#include "col2im.glsl"
