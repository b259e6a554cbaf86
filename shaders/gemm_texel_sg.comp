#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
// gemm_texel.glsl, the general epilogue, with A's rows shared by subgroup shuffle (gemm_texel_body.glsl,
// GEMM_A_SHUFFLE): for devices with subgroups of 8 and shuffle in compute shaders.
#define GEMM_A_SHUFFLE
#include "gemm_texel.glsl"
