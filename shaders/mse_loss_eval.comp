#version 450
#extension GL_GOOGLE_include_directive : require
// Forward-only mean squared error for evaluation: the metrics of mse_loss.comp, no dpred.
#define MSE_EVAL_ONLY
#include "mse_loss.glsl"
