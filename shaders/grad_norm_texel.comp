#version 450
#extension GL_GOOGLE_include_directive : require
// First passes of the optimizer's reductions (optim_reduce.glsl) reading g and p through
// RGBA32F uniform texel buffers and summing each workgroup with subgroupAdd: the fastest
// combination on lavapipe (shared/LAVAPIPE.md). Used when the device has subgroup arithmetic
// and texel buffers and the spans are texel-aligned; the second pass is grad_norm.comp.
#extension GL_KHR_shader_subgroup_arithmetic : require
#include "common.glsl"
#include "optim_subgroup_sum.glsl"

#define REDUCE_TEXEL
#include "optim_reduce.glsl"
