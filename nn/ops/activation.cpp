#include "nn/ops/activation.hpp"

#include <vector>

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// Mirrors the push block of shaders/activation_{forward,backward}.comp.
struct ActivationPush {
  uint32_t n;
  float alpha;
};
static_assert(sizeof(ActivationPush) <= kMaxPushBytes);

constexpr uint32_t kLocal = 64;

// The access of `dst` when it is the same range as `src`: one read-write binding declared
// truthfully, so the stream orders it against both earlier writers and readers.
Arg dst_arg(DeviceSpan dst, DeviceSpan src) {
  const bool same = dst.buffer == src.buffer && dst.offset == src.offset;
  return Arg{dst.buffer, dst.offset, dst.bytes(), same ? Access::ReadWrite : Access::Write, false};
}

}  // namespace

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::ReLU: return "relu";
    case Activation::LeakyReLU: return "leaky_relu";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Tanh: return "tanh";
    case Activation::GELU: return "gelu";
  }
  return "unknown";
}

Activation parse_activation(const std::string& name) {
  for (Activation a : {Activation::ReLU, Activation::LeakyReLU, Activation::Sigmoid, Activation::Tanh, Activation::GELU})
    if (name == activation_name(a)) return a;
  throw InputError("unknown activation '" + name + "'", "use relu, leaky_relu, sigmoid, tanh or gelu");
}

void activation_forward(Stream& s, Activation a, DeviceSpan y, DeviceSpan x, uint64_t n, float alpha) {
  if (n == 0) return;
  require_span("activation_forward", "x", x, n);
  require_span("activation_forward", "y", y, n);
  const uint32_t vec4 = (x.offset % 16 == 0 && y.offset % 16 == 0) ? 1 : 0;
  x = x.sub(0, n), y = y.sub(0, n);
  // x through a texel view where it can be (shaders/vec4_io.glsl); same results either way.
  const bool texel_reads = vec4 && vec4_texel_ok(s.context(), x);
  using BK = BindingKind;
  std::vector<BK> kinds{BK::Storage, BK::Storage};
  if (texel_reads) kinds.push_back(BK::Texel);
  const Kernel& k = s.context().kernel({texel_reads ? "activation_forward_texel" : "activation_forward", kinds,
                                        sizeof(ActivationPush), {kLocal, 1, 1}, {uint32_t(a), vec4}});
  // An in-place call binds the range once as read-write (declaring it read and written through
  // two bindings would be the same thing, stated twice).
  const ActivationPush push{uint32_t(n), alpha};
  const auto groups = groups_1d((n + 3) / 4, kLocal);
  if (texel_reads)
    s.dispatch(k, {in(x), dst_arg(y, x), texel(x)}, push, groups);
  else
    s.dispatch(k, {in(x), dst_arg(y, x)}, push, groups);
}

void activation_backward(Stream& s, Activation a, DeviceSpan dx, DeviceSpan dy, DeviceSpan x, uint64_t n,
                         float alpha) {
  if (n == 0) return;
  require_span("activation_backward", "x", x, n);
  require_span("activation_backward", "dy", dy, n);
  require_span("activation_backward", "dx", dx, n);
  const uint32_t vec4 = (x.offset % 16 == 0 && dy.offset % 16 == 0 && dx.offset % 16 == 0) ? 1 : 0;
  x = x.sub(0, n), dy = dy.sub(0, n), dx = dx.sub(0, n);
  const bool texel_reads = vec4 && vec4_texel_ok(s.context(), x) && vec4_texel_ok(s.context(), dy);
  using BK = BindingKind;
  std::vector<BK> kinds{BK::Storage, BK::Storage, BK::Storage};
  if (texel_reads) kinds.insert(kinds.end(), 2, BK::Texel);
  const Kernel& k = s.context().kernel({texel_reads ? "activation_backward_texel" : "activation_backward", kinds,
                                        sizeof(ActivationPush), {kLocal, 1, 1}, {uint32_t(a), vec4}});
  const ActivationPush push{uint32_t(n), alpha};
  const auto groups = groups_1d((n + 3) / 4, kLocal);
  if (texel_reads)
    s.dispatch(k, {in(x), in(dy), dst_arg(dx, dy), texel(x), texel(dy)}, push, groups);
  else
    s.dispatch(k, {in(x), in(dy), dst_arg(dx, dy)}, push, groups);
}

}  // namespace vkt::nn
