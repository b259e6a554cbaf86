#version 450
#extension GL_GOOGLE_include_directive : require
// Batch norm backward, portable path: workgroup sums through a shared-memory tree.
// See batchnorm_backward.glsl; batchnorm_backward_sg.comp is the subgroupAdd twin.
#include "batchnorm_backward.glsl"
