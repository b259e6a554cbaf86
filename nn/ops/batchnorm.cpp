#include "nn/ops/batchnorm.hpp"

#include <limits>
#include <string>

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {

namespace {

// Mirrors `Push` in shaders/batchnorm_common.glsl.
struct BatchNormPush {
  uint32_t N, C, HW;
  float eps, momentum;
};

// Per-channel kernels: a power of two <= 256 (the shared-memory tree) and <= 64 subgroups.
constexpr uint32_t kChannelGroup = 64;
constexpr uint32_t kElementGroup = 64;
constexpr uint32_t kInferPerInvocation = 16;  // batchnorm_infer.comp: PER_INVOCATION

BatchNormPush push_of(const BatchNormShape& b) { return {b.N, b.C, b.HW, b.eps, b.momentum}; }

bool use_subgroup(const Context& ctx, BatchNormPath path) {
  const bool has = ctx.policy().subgroup_arithmetic;
  if (path == BatchNormPath::Subgroup && !has)
    throw Error("batchnorm: the subgroup path was requested but the device has no subgroup arithmetic");
  return path == BatchNormPath::Subgroup || (path == BatchNormPath::Auto && has);
}

void check_span(const char* op, const char* what, DeviceSpan sp, uint64_t need) {
  if (sp.count < need)
    throw Error(std::string(op) + ": span '" + what + "' holds " + std::to_string(sp.count) + " floats, needs " +
                std::to_string(need));
}

void check_channels(Context& ctx, const char* op, const BatchNormShape& b) {
  if (b.C > ctx.info().max_workgroup_count[0])
    throw Error(std::string(op) + ": " + std::to_string(b.C) + " channels exceed maxComputeWorkGroupCount[0]");
}

const Kernel& channel_kernel(Context& ctx, const std::string& name, bool subgroup, std::vector<uint32_t> constants) {
  const uint32_t shared = subgroup ? 64 * 8 : 256 * 8;  // bn_partial in batchnorm_common.glsl
  return ctx.kernel({subgroup ? name + "_sg" : name, std::vector<BindingKind>(8, BindingKind::Storage),
                     sizeof(BatchNormPush), {kChannelGroup, 1, 1}, std::move(constants), shared});
}

}  // namespace

void BatchNormShape::validate(bool training) const {
  if (N == 0 || C == 0 || HW == 0) throw InputError("batch norm: N, C and H·W must be positive");
  if (size() > std::numeric_limits<uint32_t>::max()) throw InputError("batch norm: N·C·H·W exceeds 2^32");
  if (training && M() < 2)
    throw InputError("batch norm: training needs more than one value per channel (N·H·W >= 2)");
}

void batchnorm_forward_train(Stream& s, DeviceSpan y, DeviceSpan save_mean, DeviceSpan save_invstd,
                             DeviceSpan running_mean, DeviceSpan running_var, DeviceSpan x, DeviceSpan gamma,
                             DeviceSpan beta, const BatchNormShape& b, BatchNormPath path) {
  const char* op = "batchnorm_forward_train";
  b.validate(true);
  Context& ctx = s.context();
  check_channels(ctx, op, b);
  const uint64_t n = b.size(), C = b.C;
  check_span(op, "y", y, n), check_span(op, "x", x, n);
  check_span(op, "save_mean", save_mean, C), check_span(op, "save_invstd", save_invstd, C);
  check_span(op, "running_mean", running_mean, C), check_span(op, "running_var", running_var, C);
  check_span(op, "gamma", gamma, C), check_span(op, "beta", beta, C);
  const Kernel& k = channel_kernel(ctx, "batchnorm_train", use_subgroup(ctx, path), {});
  s.dispatch(k,
             {in(x.sub(0, n)), in(gamma.sub(0, C)), in(beta.sub(0, C)), out(y.sub(0, n)), out(save_mean.sub(0, C)),
              out(save_invstd.sub(0, C)), inout(running_mean.sub(0, C)), inout(running_var.sub(0, C))},
             push_of(b), {b.C, 1, 1});
}

void batchnorm_forward_infer(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan gamma, DeviceSpan beta,
                             DeviceSpan running_mean, DeviceSpan running_var, const BatchNormShape& b) {
  const char* op = "batchnorm_forward_infer";
  b.validate(false);
  const uint64_t n = b.size(), C = b.C;
  check_span(op, "y", y, n), check_span(op, "x", x, n);
  check_span(op, "gamma", gamma, C), check_span(op, "beta", beta, C);
  check_span(op, "running_mean", running_mean, C), check_span(op, "running_var", running_var, C);
  const Kernel& k = s.context().kernel({"batchnorm_infer", std::vector<BindingKind>(6, BindingKind::Storage),
                                        sizeof(BatchNormPush), {kElementGroup, 1, 1}, {kInferPerInvocation}});
  s.dispatch(k,
             {in(x.sub(0, n)), in(gamma.sub(0, C)), in(beta.sub(0, C)), in(running_mean.sub(0, C)),
              in(running_var.sub(0, C)), out(y.sub(0, n))},
             push_of(b), groups_1d((n + kInferPerInvocation - 1) / kInferPerInvocation, kElementGroup, s.context().info().max_workgroup_count[0]));
}

void batchnorm_backward(Stream& s, DeviceSpan dx, DeviceSpan dgamma, DeviceSpan dbeta, DeviceSpan dy, DeviceSpan x,
                        DeviceSpan gamma, DeviceSpan save_mean, DeviceSpan save_invstd, const BatchNormShape& b,
                        BatchNormPath path) {
  const char* op = "batchnorm_backward";
  b.validate(false);
  Context& ctx = s.context();
  check_channels(ctx, op, b);
  const uint64_t n = b.size(), C = b.C;
  const bool write_dx = !dx.empty();
  if (write_dx) check_span(op, "dx", dx, n);
  check_span(op, "dy", dy, n), check_span(op, "x", x, n);
  check_span(op, "dgamma", dgamma, C), check_span(op, "dbeta", dbeta, C), check_span(op, "gamma", gamma, C);
  check_span(op, "save_mean", save_mean, C), check_span(op, "save_invstd", save_invstd, C);
  const Kernel& k = channel_kernel(ctx, "batchnorm_backward", use_subgroup(ctx, path), {write_dx ? 1u : 0u});
  // Without dx the kernel never touches binding 7; dy (read-only here) fills the slot.
  const Arg dx_arg = write_dx ? out(dx.sub(0, n)) : in(dy.sub(0, n));
  s.dispatch(k,
             {in(dy.sub(0, n)), in(x.sub(0, n)), in(gamma.sub(0, C)), in(save_mean.sub(0, C)),
              in(save_invstd.sub(0, C)), out(dgamma.sub(0, C)), out(dbeta.sub(0, C)), dx_arg},
             push_of(b), {b.C, 1, 1});
}

}  // namespace vkt::nn
