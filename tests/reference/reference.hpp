#pragma once
// The double-precision reference library that GPU kernel tests compare against, in one include.
// One header per op family; all functions are plain functions in namespace vkt::ref.
// Conventions everywhere:
//   - buffers are flat row-major std::span<double> (a std::vector<double> converts), images NCHW;
//     every argument's shape is in a comment next to it, and sizes are checked (std::invalid_argument).
//   - *_forward overwrites its outputs; *_backward ADDS into its gradient outputs (callers zero them).
//   - optional buffers (bias, a gradient nobody needs) are passed as empty spans: {}.
#include "tests/reference/activation.hpp"  // relu, leaky relu, sigmoid, tanh, gelu
#include "tests/reference/augment.hpp"     // random crop, flip, rotation, scaling of an image
#include "tests/reference/batchnorm.hpp"   // batch norm 1d/2d, train + inference
#include "tests/reference/conv2d.hpp"      // conv2d
#include "tests/reference/dense.hpp"       // gemm, dense
#include "tests/reference/dropout.hpp"     // dropout_hash and dropout
#include "tests/reference/gradcheck.hpp"   // finite differences, allclose, random data
#include "tests/reference/loss.hpp"        // softmax, softmax cross-entropy, MSE, accuracy
#include "tests/reference/optim.hpp"       // SGD, Adam, AdamW, RMSprop, L1/L2, clipping
#include "tests/reference/pool.hpp"        // max pool, avg pool, global avg pool
#include "tests/reference/schedule.hpp"    // learning-rate schedules
