#version 450
#extension GL_GOOGLE_include_directive : require
// Fused softmax + cross-entropy for training: dlogits (N, K) = (softmax(z) - onehot) / N, and
// the batch's loss sum, correct count, row count and nonfinite rows added to the metrics
// block. One workgroup for the whole batch (the metrics have a single writer). See
// softmax_cross_entropy.glsl for the formulas, nn/ops/loss.hpp for the contract.
#include "softmax_cross_entropy.glsl"
