#version 450
#extension GL_GOOGLE_include_directive : require
// Batch norm training forward, for devices with subgroup arithmetic: workgroup sums through
// subgroupAdd (4-5x faster than a shared-memory tree on lavapipe). See batchnorm_train.glsl.
#extension GL_KHR_shader_subgroup_arithmetic : require
#define BN_SUBGROUP
#include "batchnorm_train.glsl"
