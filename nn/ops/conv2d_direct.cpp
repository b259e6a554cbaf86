#include "nn/ops/conv2d_direct.hpp"

#include <algorithm>

#include "nn/ops/strided_sum.hpp"
#include "nn/ops/uniform_store.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "nn/ops/conv2d_im2col.hpp"

namespace vkt::nn {
namespace {

struct DirectPush {  // mirrors shaders/conv2d_direct_pool.comp
  uint32_t N;
};

struct DirectBackwardPush {  // mirrors shaders/conv2d_direct_pool_backward.comp
  uint32_t N;
  UniformStoreTable table;
};

constexpr uint32_t kWindowsPerWorkgroup = 64;  // 8 lanes x 8 windows
constexpr uint32_t kMaxSums = 512;             // K·(CRS + 1) a lane holds

uint64_t chunks_of(const Conv2dShape& c) {
  return (uint64_t(c.N) * c.PH() * c.PW() + kWindowsPerWorkgroup - 1) / kWindowsPerWorkgroup;
}

// The largest patch kept in registers. cnn.conv1's is 16 floats, cifar-cnn.conv1's 48.
constexpr uint32_t kMaxPatch = 48;

}  // namespace

bool conv2d_direct_shape_ok(const Conv2dShape& c) {
  const uint32_t patch = c.C * (c.sh + c.R) * (c.sw + c.S);
  return c.pool == 2 && c.K % 4 == 0 && patch <= kMaxPatch;
}

// Whether conv2d_direct_backward_weight's kernel can take the layer on this device (the
// spans aside).
bool backward_kernel_ok(const KernelPolicy& p, const Conv2dShape& c) {
  const uint32_t sums = c.K * (c.CRS() + 1);
  return sums % 4 == 0 && sums <= kMaxSums && uniform_store_ok(p, chunks_of(c));
}

bool conv2d_direct_device_ok(const Conv2dShape& c, const KernelPolicy& p) {
  // Only where the weight gradient needs no column matrix either: otherwise backward builds
  // it, and im2col's cost only moves (cifar-cnn.conv1, 3 channels, 896 sums per lane: forward
  // 10.1 -> 6.3 ms but backward-weight 8.3 -> 12.3, alternating, one thread).
  return p.direct && backward_kernel_ok(p, c);
}

void conv2d_direct_forward(Stream& s, DeviceSpan y, DeviceSpan argmax, DeviceSpan x, DeviceSpan w, DeviceSpan b,
                           const Conv2dPlan& c, bool relu) {
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
                          {c.width_or(64), 1, 1},
                          {c.C, c.H, c.W, c.K, c.R, c.S, c.sh, c.sw, c.ph, c.pw, c.PH(), c.PW(),
                           c.x_channels_last ? 1u : 0u, c.y_channels_last ? 1u : 0u, relu ? 1u : 0u, bias ? 1u : 0u}});
  const DeviceSpan wk = w.sub(0, uint64_t(c.K) * c.CRS());
  s.dispatch(k,
             {texel_r32(x.sub(0, uint64_t(c.N) * c.C * c.H * c.W)), in(wk), in(bias ? b.sub(0, c.K) : wk),
              out(y.sub(0, c.out_count())), out(argmax.sub(0, c.out_count()))},
             DirectPush{c.N}, groups_1d(uint64_t(c.N) * c.PH() * c.PW(), c.width_or(64)));
}

uint64_t conv2d_direct_partials(const Conv2dShape& c) { return chunks_of(c) * c.K * (c.CRS() + 1); }

bool conv2d_direct_backward_weight(Stream& s, DeviceSpan both, DeviceSpan dy, DeviceSpan argmax, DeviceSpan x,
                                   DeviceSpan partials, const Conv2dPlan& c) {
  Context& ctx = s.context();
  const uint32_t sums = c.K * (c.CRS() + 1);
  const uint64_t chunks = chunks_of(c), pooled_count = c.out_count();
  const bool views = !c.y_channels_last || (vec4_texel_ok(ctx, dy.sub(0, pooled_count)) && vec4_texel_ok(ctx, argmax.sub(0, pooled_count)));
  if (!backward_kernel_ok(ctx.policy(), c) || !views || partials.count < chunks * sums) return false;
  require_span("conv2d direct", "x", x, uint64_t(c.N) * c.C * c.H * c.W);
  require_span("conv2d direct", "dy", dy, pooled_count);
  require_span("conv2d direct", "argmax", argmax, pooled_count);
  require_span("conv2d direct", "both", both, sums);
  const Kernel& k = ctx.kernel({"conv2d_direct_pool_backward",
                                {BindingKind::Texel, BindingKind::Texel, BindingKind::Texel, BindingKind::Storage},
                                sizeof(DirectBackwardPush),
                                {8, 1, 1},
                                {c.C, c.H, c.W, c.K, c.R, c.S, c.sh, c.sw, c.ph, c.pw, c.PH(), c.PW(),
                                 c.x_channels_last ? 1u : 0u, c.y_channels_last ? 1u : 0u}});
  const auto pooled = [&](DeviceSpan t) { return c.y_channels_last ? texel(t.sub(0, pooled_count)) : texel_r32(t.sub(0, pooled_count)); };
  const DeviceSpan slabs = partials.sub(0, chunks * sums);
  s.dispatch(k, {texel_r32(x.sub(0, uint64_t(c.N) * c.C * c.H * c.W)), pooled(dy), pooled(argmax), out(slabs)},
             DirectBackwardPush{c.N}, {static_cast<uint32_t>(chunks), 1, 1});
  strided_sum(s, both, slabs, sums, static_cast<uint32_t>(chunks), 1, sums);
  return true;
}

Conv2dWorkspaceSize direct_workspace_size(const Conv2dPlan& c) {
  Conv2dWorkspaceSize z = im2col_workspace_size(c);
  z.partials = std::max(z.partials, conv2d_direct_partials(c));
  return z;
}

void direct_forward(Stream& s, DeviceSpan y, DeviceSpan x, DeviceSpan w, DeviceSpan b, const Conv2dPlan& c,
                    const Conv2dWorkspace& ws, bool relu) {
  conv2d_direct_forward(s, y, ws.argmax, x, w, b, c, relu);
}

void direct_backward_weight(Stream& s, DeviceSpan dw, DeviceSpan db, DeviceSpan dy, DeviceSpan x, const Conv2dPlan& c,
                            const Conv2dWorkspace& ws, bool dx_needed) {
  if (!dx_needed) {  // from dy and the winners alone
    require_span("conv2d direct", "t", ws.t, uint64_t(c.K) * (c.CRS() + 1));
    const DeviceSpan both = ws.t.sub(0, uint64_t(c.K) * (c.CRS() + 1));
    if (conv2d_direct_backward_weight(s, both, dy, ws.argmax, x, ws.partials, c)) return split_weight_bias(s, dw, db, both, c);
  }
  im2col(s, x, c, ws);  // forward built no column matrix
  im2col_backward_weight(s, dw, db, dy, x, c, ws, dx_needed);
}

}  // namespace vkt::nn
