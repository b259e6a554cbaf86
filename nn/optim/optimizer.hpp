#pragma once
// Optimizer steps as kernels over ONE flat parameter buffer p, its flat gradient buffer g and
// flat moment buffers, all n floats: one dispatch per step, plus two small reduction
// dispatches when gradient clipping is on.
//
// What one step does to every element i, in this order (tests/reference/optim.hpp):
//   1. g1 = g + l1 sign(w) + 2 l2 w      for i < n_regularized only (Keras kernel_regularizer:
//                                          the model puts every weight tensor first in the flat
//                                          buffer and the biases after, so biases are never
//                                          penalized). The penalty is part of the loss, so ...
//   2. g1 *= min(1, clip_norm / ||g1||)  ... global-norm clipping sees it (PyTorch's
//                                          clip_grad_norm_ on loss.backward()'s gradient). The
//                                          norm is reduced on the device; no host round trip.
//   3. the optimizer's rule on g1 (ref::sgd_step / adam_step / adamw_step / rmsprop_step /
//      adagrad_step),
//      whose weight decay is not clipped.
// The learning rate, the step t and Adam's bias corrections are read from the step block
// (nn/ops/step_block.hpp), so the recorded step replays unchanged while the host rewrites only
// that block (nn/optim/step_values.hpp fills it). Everything else is a push constant.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nn/ops/device_span.hpp"
#include "runtime/kernel_policy.hpp"

namespace vkt::nn {

enum class OptimizerKind { SGD, Adam, AdamW, RMSprop, Adagrad };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::SGD;
  double lr = 0.01;             // base learning rate; the schedule scales it per step
  double momentum = 0.0;        // SGD: 0 = plain SGD (no momentum buffer)
  bool nesterov = false;        // SGD: needs momentum > 0
  double beta1 = 0.9, beta2 = 0.999;  // Adam, AdamW
  double alpha = 0.9;           // RMSprop's decay of the square average (Keras rho; PyTorch 0.99)
  double eps = 1e-7;            // Adam, RMSprop, Adagrad (Keras default; PyTorch 1e-8, Adagrad 1e-10)
  double initial_accumulator = 0.1;  // Adagrad: every element's sum of squares before step 1
                                     // (Keras 0.1; PyTorch 0, where eps alone bounds step 1)
  double weight_decay = 0.0;    // L2-style (SGD, Adam, RMSprop, Adagrad) or decoupled (AdamW)
  double l1 = 0.0, l2 = 0.0;    // penalties on the first n_regularized elements
  double clip_norm = 0.0;       // > 0: clip the global gradient norm to this; 0: off

  // Throws InputError for impossible values (negative rates, beta outside [0, 1), nesterov
  // without momentum, ...).
  void validate() const;
};

// Name -> config with that optimizer's defaults:
//   sgd, momentum (SGD, momentum 0.9), nesterov (SGD, momentum 0.9, Nesterov), adam, adamw, rmsprop,
//   adagrad (lr 0.01, PyTorch's default).
// Throws InputError listing the valid names.
OptimizerConfig parse_optimizer(std::string_view name);
// The name parse_optimizer would take for c ("sgd", "momentum", "nesterov", "adam", ...).
std::string optimizer_name(const OptimizerConfig& c);
// How many moment buffers (each n floats) the optimizer needs: SGD 0 (1 with momentum, in `m`),
// Adam/AdamW 2 (`m`, `v`), RMSprop 1 (in `v`), Adagrad 1 (in `v`).
int moment_buffers(const OptimizerConfig& c);
// The optimizer keeps its only moment in `v` (RMSprop's square average, Adagrad's sum).
bool moment_in_v_only(const OptimizerConfig& c);
// The value every element of moment buffer `name` ("m" or "v") holds before the first step:
// 0, except Adagrad's sum, which starts at initial_accumulator.
float initial_moment_value(const OptimizerConfig& c, std::string_view name);

// How the reductions read and sum: Texel = first pass reads g/p through RGBA32F texel buffers
// (fastest on lavapipe) and sums with subgroupAdd; Subgroup = storage-buffer reads and
// subgroupAdd; Shared = storage reads and a shared-memory tree (portable). Auto picks the
// first the device (subgroup arithmetic, texel buffers) and the spans (texel-aligned offsets)
// allow, or what its plan measured faster (nn/plan/reduction_plan.hpp). Tests force each path
// to cover them all; a forced path the device lacks throws Error.
enum class ReducePath { Auto, Texel, Subgroup, Shared };
std::string reduce_path_name(ReducePath p);
// The paths that can sum n elements of spans `texel_possible` says can be read as texels, the
// rule's (texel, else subgroup, where the device has subgroup arithmetic; else shared) first.
std::vector<ReducePath> reduce_paths(const KernelPolicy& p, bool texel_possible);

// Device scratch for the two-pass reductions (clipping, penalty value).
struct ReduceScratch {
  DeviceSpan result;    // >= 2 floats. Clipping: [0] scale = min(1, clip_norm / norm), [1] norm
                        // before clipping (for logging); weight_penalty: [0] the penalty.
  DeviceSpan partials;  // >= reduce_partials(n) floats, one per workgroup of the first pass
  ReducePath path = ReducePath::Auto;
};
// Workgroups of the first pass for n elements: the size `partials` needs.
uint32_t reduce_partials(uint64_t n);

// How the update kernel reads p, g and the moments: Texel = whole vec4s through RGBA32F texel
// views (several times faster loads on lavapipe), writes and the tail through storage
// bindings; Storage = storage bindings only (any device, any offset). Both compute the same
// floats in the same order: results are bit-identical. Auto picks Texel where the device and
// every span allow it (texel-capable buffers, offsets aligned to minTexelBufferOffsetAlignment,
// <= maxTexelBufferElements vec4s). Tests force each; a forced Texel that cannot be throws Error.
enum class UpdatePath { Auto, Texel, Storage };

struct OptimizerBuffers {
  DeviceSpan p;                    // (n) parameters, updated
  DeviceSpan g;                    // (n) loss gradient, read (never modified)
  DeviceSpan m;                    // (n) SGD momentum buffer / Adam first moment, or empty
  DeviceSpan v;                    // (n) Adam second moment / RMSprop square average / Adagrad sum, or empty
  DeviceSpan step_block;           // one StepBlock (4 floats), MemoryUse::Shared
  uint64_t n_regularized = 0;      // elements [0, n_regularized) get the L1/L2 penalty
  ReduceScratch clip;              // needed when clip_norm > 0
  UpdatePath path = UpdatePath::Auto;
};

// Records one optimizer step: 1 dispatch, or 3 when clipping (norm partials, norm, update).
// Spans too small or misaligned throw vkt::Error; a bad config throws InputError.
void optimizer_step(Stream& s, const OptimizerConfig& c, const OptimizerBuffers& b);

// scratch.result[0] = scale = min(1, max_norm / ||g1||), [1] = ||g1||, where g1 = g plus the
// L1/L2 penalty gradient on [0, n_regularized) (w = p; p is not read when l1 = l2 = 0).
// Two dispatches (scratch.path picks the workgroup-sum kernel).
void grad_global_norm(Stream& s, DeviceSpan g, DeviceSpan p, uint64_t n_regularized, double l1, double l2,
                      double max_norm, const ReduceScratch& scratch);

// scratch.result[0] = l1 Σ|w| + l2 Σw² over p[0, n_regularized): the penalty term of the total
// loss, for reporting (ref::l1l2_penalty). Two dispatches; record it only where it is wanted.
void weight_penalty(Stream& s, DeviceSpan p, uint64_t n_regularized, double l1, double l2,
                    const ReduceScratch& scratch);

}  // namespace vkt::nn
