#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
// winograd_output_pool_backward.glsl, its uniform stores writing two floats per 64-bit component (for devices with
// shaderInt64: uniform_store.glsl, DeviceInfo::int64).
#define UNIFORM_STORE_U64
#include "winograd_output_pool_backward.glsl"
