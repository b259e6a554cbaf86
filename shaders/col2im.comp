#version 450
#extension GL_GOOGLE_include_directive : require
// col2im.glsl, storing 4 floats per vec4 store.
#include "col2im.glsl"
