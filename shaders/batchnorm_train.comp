#version 450
#extension GL_GOOGLE_include_directive : require
// Batch norm training forward, portable path: workgroup sums through a shared-memory tree.
// See batchnorm_train.glsl; batchnorm_train_sg.comp is the subgroupAdd twin.
#include "batchnorm_train.glsl"
