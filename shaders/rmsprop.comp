#version 450
#extension GL_GOOGLE_include_directive : require
// rmsprop.glsl reading every buffer through storage bindings: the fallback when a span cannot
// be viewed as an RGBA32F texel buffer (rmsprop_texel.comp).
#include "rmsprop.glsl"
