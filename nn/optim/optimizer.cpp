#include "nn/optim/optimizer.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "nn/ops/step_block.hpp"
#include "nn/plan/reduction_plan.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// Mirrors the push block of shaders/optim_common.glsl.
struct OptimPush {
  uint32_t n, n_reg, flags;
  float l1, l2x2, wd, a, one_minus_a, b, one_minus_b, eps;
};
static_assert(sizeof(OptimPush) <= kMaxPushBytes);

// Mirrors the push block of shaders/optim_reduce.glsl.
struct ReducePush {
  uint32_t n, per_group, mode, n_reg;
  float l1, l2, max_norm;
};
static_assert(sizeof(ReducePush) <= kMaxPushBytes);

constexpr uint32_t kFlagClip = 1, kFlagMomentum = 2, kFlagNesterov = 4, kFlagDecoupled = 8;
constexpr uint32_t kModeNormPartial = 0, kModePenaltyPartial = 1, kModeFinishNorm = 2, kModeFinishSum = 3;

constexpr uint32_t kLocal = 64;      // reductions
constexpr uint32_t kOptLocal = 64;   // optimizer kernels
constexpr uint32_t kVecPerInvocation = 1;  // optimizer: vec4s per invocation (1 measured 10-25% faster than 2 or 4 on lavapipe)
constexpr uint32_t kReduceVecsPerGroup = kLocal * 16;  // first reduction pass: 4,096 floats per group

uint64_t vec4s(uint64_t n) { return (n + 3) / 4; }

void require(const char* op, const char* what, DeviceSpan s, uint64_t n) {
  if (s.buffer == nullptr || s.count < n)
    throw Error(std::string(op) + ": " + what + " holds " + std::to_string(s.buffer ? s.count : 0) +
                " floats, needs " + std::to_string(n));
}

uint32_t checked_n(const char* op, uint64_t n) {
  // 4 * (vec4 index) must fit a uint in the shaders.
  if (n >= (uint64_t(1) << 32) - 4) throw Error(std::string(op) + ": " + std::to_string(n) + " elements is too many");
  return uint32_t(n);
}

bool texel_ok(const Context& ctx, DeviceSpan s) {
  const auto& info = ctx.info();
  return ctx.policy().vec4_texels && s.buffer->texel_capable() && s.offset % info.min_texel_buffer_offset_alignment == 0 &&
         vec4s(s.count) <= info.max_texel_buffer_elements;
}

// The kernel summing workgroups by `path` (Auto resolved by the caller), storage or texel reads.
const Kernel& reduce_kernel(Context& ctx, ReducePath path, bool texel_reads) {
  using BK = BindingKind;
  const bool subgroups = path != ReducePath::Shared;
  if (subgroups && !ctx.policy().subgroup_arithmetic) throw Error("reduction: this device has no subgroup arithmetic");
  const BK in_kind = texel_reads ? BK::Texel : BK::Storage;
  return ctx.kernel({texel_reads ? "grad_norm_texel" : (subgroups ? "grad_norm" : "grad_norm_shared"),
                     {in_kind, in_kind, BK::Storage},
                     sizeof(ReducePush),
                     {kLocal, 1, 1},
                     {},
                     subgroups ? 64u * 4u : 512u * 4u});
}

}  // namespace

std::string reduce_path_name(ReducePath p) {
  switch (p) {
    case ReducePath::Texel: return "texel";
    case ReducePath::Subgroup: return "subgroup";
    case ReducePath::Shared: return "shared";
    case ReducePath::Auto: break;
  }
  return "auto";
}

std::vector<ReducePath> reduce_paths(const KernelPolicy& p, bool texel_possible) {
  if (!p.subgroup_arithmetic) return {ReducePath::Shared};
  if (texel_possible) return {ReducePath::Texel, ReducePath::Subgroup, ReducePath::Shared};
  return {ReducePath::Subgroup, ReducePath::Shared};
}

namespace {

// Pass 1 over x (and w) into partials, pass 2 over the partials into result.
void reduce_two_pass(Stream& s, const char* op, uint32_t mode, DeviceSpan x, DeviceSpan w, uint64_t n_reg, double l1,
                     double l2, double max_norm, const ReduceScratch& scratch) {
  const uint32_t n = checked_n(op, x.count);
  if (n == 0) throw Error(std::string(op) + ": nothing to reduce (n = 0)");
  const uint32_t groups = reduce_partials(n);
  require(op, "scratch.partials", scratch.partials, groups);
  require(op, "scratch.result", scratch.result, 2);
  Context& ctx = s.context();
  ReducePath path = scratch.path;
  const bool texel_possible = texel_ok(ctx, x) && texel_ok(ctx, w);
  if (path == ReducePath::Auto) path = plan_reduce(ctx, x.count, texel_possible);
  if (path == ReducePath::Texel && !texel_possible)
    throw Error(std::string(op) + ": the spans cannot be read as texel buffers on this device");
  const Kernel& first = reduce_kernel(ctx, path, path == ReducePath::Texel);
  const Kernel& second = reduce_kernel(ctx, path == ReducePath::Shared ? path : ReducePath::Subgroup, false);
  const DeviceSpan partials = scratch.partials.sub(0, groups);
  const ReducePush push1{n, kReduceVecsPerGroup, mode, uint32_t(n_reg), float(l1), float(l2), 0.0f};
  const auto grid = groups_1d(uint64_t(groups) * kLocal, kLocal);
  if (path == ReducePath::Texel)
    s.dispatch(first, {texel(x), texel(w), out(partials)}, push1, grid);
  else
    s.dispatch(first, {in(x), in(w), out(partials)}, push1, grid);
  const uint32_t finish = mode == kModeNormPartial ? kModeFinishNorm : kModeFinishSum;
  s.dispatch(second, {in(partials), in(partials), out(scratch.result.sub(0, 2))},
             ReducePush{groups, 0, finish, 0, 0.0f, 0.0f, float(max_norm)}, {1, 1, 1});
}

}  // namespace

void OptimizerConfig::validate() const {
  auto bad = [](const std::string& what) { throw InputError("optimizer: " + what); };
  auto finite_nonneg = [&](double x, const char* name) {
    if (!std::isfinite(x) || x < 0) bad(std::string(name) + " must be finite and >= 0, got " + std::to_string(x));
  };
  finite_nonneg(lr, "learning rate");
  finite_nonneg(momentum, "momentum");
  finite_nonneg(eps, "eps");
  finite_nonneg(initial_accumulator, "initial accumulator");
  finite_nonneg(weight_decay, "weight decay");
  finite_nonneg(l1, "l1");
  finite_nonneg(l2, "l2");
  finite_nonneg(clip_norm, "clip norm");
  auto unit = [&](double x, const char* name) {
    if (!(x >= 0 && x < 1)) bad(std::string(name) + " must be in [0, 1), got " + std::to_string(x));
  };
  if (kind == OptimizerKind::Adam || kind == OptimizerKind::AdamW) {
    unit(beta1, "beta1");
    unit(beta2, "beta2");
  }
  if (kind == OptimizerKind::RMSprop) unit(alpha, "alpha");
  if (kind == OptimizerKind::SGD && nesterov && momentum <= 0) bad("Nesterov momentum needs momentum > 0");
  // Adagrad's first step divides by sqrt(initial_accumulator + g^2) + eps: with both 0, a zero
  // gradient element gives 0 / 0.
  if (kind == OptimizerKind::Adagrad && initial_accumulator == 0 && eps == 0)
    bad("adagrad needs eps > 0 or an initial accumulator > 0");
}

OptimizerConfig parse_optimizer(std::string_view name) {
  OptimizerConfig c;
  if (name == "sgd") {
  } else if (name == "momentum") {
    c.momentum = 0.9;
  } else if (name == "nesterov") {
    c.momentum = 0.9;
    c.nesterov = true;
  } else if (name == "adam") {
    c.kind = OptimizerKind::Adam;
    c.lr = 1e-3;
  } else if (name == "adamw") {
    c.kind = OptimizerKind::AdamW;
    c.lr = 1e-3;
    c.weight_decay = 1e-2;  // PyTorch's AdamW default
  } else if (name == "rmsprop") {
    c.kind = OptimizerKind::RMSprop;
    c.lr = 1e-3;
  } else if (name == "adagrad") {
    c.kind = OptimizerKind::Adagrad;
    c.lr = 1e-2;
  } else {
    throw InputError("unknown optimizer '" + std::string(name) +
                     "': valid names are sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad");
  }
  return c;
}

std::string optimizer_name(const OptimizerConfig& c) {
  switch (c.kind) {
    case OptimizerKind::SGD: return c.momentum == 0 ? "sgd" : (c.nesterov ? "nesterov" : "momentum");
    case OptimizerKind::Adam: return "adam";
    case OptimizerKind::AdamW: return "adamw";
    case OptimizerKind::RMSprop: return "rmsprop";
    case OptimizerKind::Adagrad: return "adagrad";
  }
  return "?";
}

int moment_buffers(const OptimizerConfig& c) {
  switch (c.kind) {
    case OptimizerKind::SGD: return c.momentum != 0 ? 1 : 0;
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW: return 2;
    case OptimizerKind::RMSprop:
    case OptimizerKind::Adagrad: return 1;
  }
  return 0;
}

bool moment_in_v_only(const OptimizerConfig& c) {
  return c.kind == OptimizerKind::RMSprop || c.kind == OptimizerKind::Adagrad;
}

float initial_moment_value(const OptimizerConfig& c, std::string_view name) {
  return c.kind == OptimizerKind::Adagrad && name == "v" ? float(c.initial_accumulator) : 0.0f;
}

uint32_t reduce_partials(uint64_t n) {
  const uint64_t groups = (vec4s(n) + kReduceVecsPerGroup - 1) / kReduceVecsPerGroup;
  return uint32_t(groups == 0 ? 1 : groups);
}

void grad_global_norm(Stream& s, DeviceSpan g, DeviceSpan p, uint64_t n_regularized, double l1, double l2,
                      double max_norm, const ReduceScratch& scratch) {
  const bool penalty = l1 != 0 || l2 != 0;
  if (penalty) {
    require("grad_global_norm", "p", p, g.count);
    if (n_regularized > g.count) throw Error("grad_global_norm: n_regularized is larger than the gradient");
  }
  const DeviceSpan w = penalty ? p.sub(0, g.count) : g;
  reduce_two_pass(s, "grad_global_norm", kModeNormPartial, g, w, penalty ? n_regularized : 0, l1, l2, max_norm,
                  scratch);
}

void weight_penalty(Stream& s, DeviceSpan p, uint64_t n_regularized, double l1, double l2,
                    const ReduceScratch& scratch) {
  if (n_regularized > p.count) throw Error("weight_penalty: n_regularized is larger than p");
  reduce_two_pass(s, "weight_penalty", kModePenaltyPartial, p, p, n_regularized, l1, l2, 0.0, scratch);
}

void optimizer_step(Stream& s, const OptimizerConfig& c, const OptimizerBuffers& b) {
  c.validate();
  const char* op = "optimizer_step";
  const uint32_t n = checked_n(op, b.p.count);
  if (n == 0) return;
  require(op, "g", b.g, n);
  require(op, "step_block", b.step_block, sizeof(StepBlock) / 4);
  if (b.n_regularized > n)
    throw Error("optimizer_step: n_regularized " + std::to_string(b.n_regularized) + " is larger than n " +
                std::to_string(n));
  const DeviceSpan p = b.p, g = b.g.sub(0, n), step = b.step_block.sub(0, sizeof(StepBlock) / 4);
  const bool clip = c.clip_norm > 0;
  const bool penalty = c.l1 != 0 || c.l2 != 0;
  if (clip) grad_global_norm(s, g, p, b.n_regularized, c.l1, c.l2, c.clip_norm, b.clip);
  // Without clipping the shader never reads the clip binding: the step block stands in for it.
  const DeviceSpan clip_result = clip ? b.clip.result.sub(0, 2) : step;

  OptimPush push{n, penalty ? uint32_t(b.n_regularized) : 0u, clip ? kFlagClip : 0u,
                 float(c.l1), float(2.0 * c.l2), float(c.weight_decay), 0, 0, 0, 0, float(c.eps)};
  const auto groups = groups_1d(
      (vec4s(n) + uint64_t(kOptLocal) * kVecPerInvocation - 1) / (uint64_t(kOptLocal) * kVecPerInvocation) * kOptLocal, kOptLocal);
  Context& ctx = s.context();

  // The spans the kernel reads, in binding order: p, g, then the moments it uses. Without
  // momentum SGD never touches its m binding: g stands in for it.
  const bool momentum = c.kind == OptimizerKind::SGD && c.momentum != 0;
  DeviceSpan m = g, v = g;
  switch (c.kind) {
    case OptimizerKind::SGD:
      if (momentum) {
        require(op, "m (momentum buffer)", b.m, n);
        m = b.m.sub(0, n);
      }
      break;
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW:
      require(op, "m (first moment)", b.m, n);
      require(op, "v (second moment)", b.v, n);
      m = b.m.sub(0, n), v = b.v.sub(0, n);
      break;
    case OptimizerKind::RMSprop:
    case OptimizerKind::Adagrad:
      require(op, c.kind == OptimizerKind::RMSprop ? "v (square average)" : "v (sum of squares)", b.v, n);
      v = b.v.sub(0, n);
      break;
  }
  const bool adam = c.kind == OptimizerKind::Adam || c.kind == OptimizerKind::AdamW;
  const DeviceSpan third = moment_in_v_only(c) ? v : m;  // binding 2
  const bool texel_possible =
      vec4_texel_ok(ctx, p) && vec4_texel_ok(ctx, g) && vec4_texel_ok(ctx, third) && (!adam || vec4_texel_ok(ctx, v));
  if (b.path == UpdatePath::Texel && !texel_possible)
    throw Error("optimizer_step: the spans cannot be read as texel buffers on this device");
  const bool texel_reads = b.path != UpdatePath::Storage && texel_possible;

  const char* shader = "sgd";
  switch (c.kind) {
    case OptimizerKind::SGD:
      push.flags |= (momentum ? kFlagMomentum : 0u) | (c.nesterov ? kFlagNesterov : 0u);
      push.a = float(c.momentum);
      break;
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW:
      shader = "adam";
      if (c.kind == OptimizerKind::AdamW) push.flags |= kFlagDecoupled;
      push.a = float(c.beta1), push.one_minus_a = float(1.0 - c.beta1);
      push.b = float(c.beta2), push.one_minus_b = float(1.0 - c.beta2);
      break;
    case OptimizerKind::RMSprop:
      shader = "rmsprop";
      push.a = float(c.alpha), push.one_minus_a = float(1.0 - c.alpha);
      break;
    case OptimizerKind::Adagrad:
      shader = "adagrad";
      break;
  }
  // Storage bindings: p, g, the moments, the step block, the clip result; then (texel variant)
  // a texel view of each of p, g and the moments, read where the storage bindings are written.
  using BK = BindingKind;
  const size_t buffers = adam ? 4 : 3;
  std::vector<BK> kinds(buffers + 2, BK::Storage);
  if (texel_reads) kinds.insert(kinds.end(), buffers, BK::Texel);
  const Kernel& k = ctx.kernel({std::string(shader) + (texel_reads ? "_texel" : ""), kinds, sizeof(OptimPush),
                                {kOptLocal, 1, 1}, {kVecPerInvocation}});
  // Binding 2 (and Adam's 3) is written only when the optimizer keeps that moment.
  const Arg third_arg = c.kind == OptimizerKind::SGD && !momentum ? in(g) : inout(third);
  if (adam && texel_reads)
    s.dispatch(k, {inout(p), in(g), third_arg, inout(v), in(step), in(clip_result), texel(p), texel(g), texel(m),
                   texel(v)},
               push, groups);
  else if (adam)
    s.dispatch(k, {inout(p), in(g), third_arg, inout(v), in(step), in(clip_result)}, push, groups);
  else if (texel_reads)
    s.dispatch(k, {inout(p), in(g), third_arg, in(step), in(clip_result), texel(p), texel(g), texel(third)}, push,
               groups);
  else
    s.dispatch(k, {inout(p), in(g), third_arg, in(step), in(clip_result)}, push, groups);
}

}  // namespace vkt::nn
