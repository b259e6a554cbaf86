#include "nn/ops/conv2d_direct.hpp"

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/env.hpp"

namespace vkt::nn {
namespace {

struct DirectPush {  // mirrors shaders/conv2d_direct_pool.comp
  uint32_t N;
};

// The largest patch kept in registers. cnn.conv1's is 16 floats, cifar-cnn.conv1's 48.
constexpr uint32_t kMaxPatch = 48;

}  // namespace

bool conv2d_direct_shape_ok(const Conv2dShape& c) {
  const uint32_t patch = c.C * (c.sh + c.R) * (c.sw + c.S);
  return c.pool == 2 && !c.winograd && c.K % 4 == 0 && patch <= kMaxPatch;
}

bool conv2d_direct_preferred(const Context& ctx, const Conv2dShape& c) {
  return !env_switch("VKTRAIN_NO_DIRECT") && conv2d_direct_shape_ok(c) && ctx.info().type == VK_PHYSICAL_DEVICE_TYPE_CPU;
}

void conv2d_direct_forward(Stream& s, DeviceSpan y, DeviceSpan argmax, DeviceSpan x, DeviceSpan w, DeviceSpan b,
                           const Conv2dShape& c, bool relu) {
  require_span("conv2d direct", "x", x, uint64_t(c.N) * c.C * c.H * c.W);
  require_span("conv2d direct", "w", w, uint64_t(c.K) * c.CRS());
  require_span("conv2d direct", "y", y, c.out_count());
  require_span("conv2d direct", "argmax", argmax, c.out_count());
  const bool bias = !b.empty();
  if (bias) require_span("conv2d direct", "b", b, c.K);
  const Kernel& k =
      s.context().kernel({"conv2d_direct_pool",
                          {BindingKind::Texel, BindingKind::Storage, BindingKind::Storage, BindingKind::Storage,
                           BindingKind::Storage},
                          sizeof(DirectPush),
                          {64, 1, 1},
                          {c.C, c.H, c.W, c.K, c.R, c.S, c.sh, c.sw, c.ph, c.pw, c.PH(), c.PW(), relu ? 1u : 0u,
                           bias ? 1u : 0u, c.x_channels_last ? 1u : 0u, c.y_channels_last ? 1u : 0u}});
  const DeviceSpan wk = w.sub(0, uint64_t(c.K) * c.CRS());
  s.dispatch(k,
             {texel_r32(x.sub(0, uint64_t(c.N) * c.C * c.H * c.W)), in(wk), in(bias ? b.sub(0, c.K) : wk),
              out(y.sub(0, c.out_count())), out(argmax.sub(0, c.out_count()))},
             DirectPush{c.N}, groups_1d(uint64_t(c.N) * c.PH() * c.PW(), 64));
}

}  // namespace vkt::nn
