#version 450
#extension GL_GOOGLE_include_directive : require
// Squared-norm / penalty reductions for the optimizer step (optim_reduce.glsl), summing each
// workgroup with subgroupAdd: on lavapipe 4-5x faster than a shared-memory tree
// (shared/LAVAPIPE.md). Only for devices with subgroup arithmetic; grad_norm_shared is the
// portable twin.
#extension GL_KHR_shader_subgroup_arithmetic : require
#include "common.glsl"

#include "optim_subgroup_sum.glsl"
#include "optim_reduce.glsl"
