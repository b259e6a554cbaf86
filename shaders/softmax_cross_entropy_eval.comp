#version 450
#extension GL_GOOGLE_include_directive : require
// Forward-only softmax cross-entropy for evaluation: the same metrics as
// softmax_cross_entropy.comp (loss sum, correct, count, nonfinite), no dlogits.
#define SCE_EVAL_ONLY
#include "softmax_cross_entropy.glsl"
