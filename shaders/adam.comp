#version 450
#extension GL_GOOGLE_include_directive : require
// adam.glsl reading every buffer through storage bindings: the fallback when a span cannot
// be viewed as an RGBA32F texel buffer (adam_texel.comp).
#include "adam.glsl"
