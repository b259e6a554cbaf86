#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
// col2im.glsl, channels-last, storing the uniform way two floats per 64-bit component (for
// devices with shaderInt64: uniform_store.glsl, DeviceInfo::int64).
#define COL2IM_UNIFORM
#define UNIFORM_STORE_U64
#include "col2im.glsl"
