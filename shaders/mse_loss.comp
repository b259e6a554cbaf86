#version 450
#extension GL_GOOGLE_include_directive : require
// Mean squared error for training: dpred (N, K) = 2 (p - t) / (N K), and the batch's loss
// sum (sum of per-row means), row count and nonfinite rows added to the metrics block. One
// workgroup for the whole batch. See mse_loss.glsl, nn/ops/loss.hpp.
#include "mse_loss.glsl"
