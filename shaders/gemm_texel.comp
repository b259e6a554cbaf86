#version 450
#extension GL_GOOGLE_include_directive : require
// gemm_texel.glsl, the general epilogue, each lane fetching all of its A rows (any subgroup size).
#include "gemm_texel.glsl"
