#version 450
#extension GL_GOOGLE_include_directive : require
// winograd_input_backward.glsl, storing 4 floats per vec4 store.
#include "winograd_input_backward.glsl"
