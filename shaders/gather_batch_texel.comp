#version 450
#extension GL_GOOGLE_include_directive : require
// gather_batch.glsl reading the data set, labels and indices through R32UI texel views:
// branch-free loads on lavapipe (gather_batch.glsl says more).
#define GATHER_TEXEL
#include "gather_batch.glsl"
