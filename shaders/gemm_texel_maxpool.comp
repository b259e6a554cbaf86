#version 450
#extension GL_GOOGLE_include_directive : require
// gemm_texel_maxpool.glsl, the fused 2x2 max pool, each lane fetching all of its A rows (any subgroup size).
#include "gemm_texel_maxpool.glsl"
