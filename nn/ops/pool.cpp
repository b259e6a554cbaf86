#include "nn/ops/pool.hpp"

#include <cstdio>

#include <array>
#include <string>

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// Mirrors shaders/pool_common.glsl.
struct PoolPush {
  uint32_t planes, H, W, OH, OW, kh, kw, sh, sw, ph, pw;
  float inv_area;
};
static_assert(sizeof(PoolPush) <= kMaxPushBytes);

// Mirrors the push block of shaders/global_avgpool_*.comp.
struct GlobalPoolPush {
  uint32_t planes, hw;
  float inv_hw;
};
static_assert(sizeof(GlobalPoolPush) <= kMaxPushBytes);

constexpr uint32_t kLocal = 64;

PoolPush push_for(const Pool2dShape& p) {
  return {p.N * p.C, p.H, p.W, p.OH(), p.OW(), p.kh, p.kw, p.sh, p.sw, p.ph, p.pw,
          static_cast<float>(1.0 / (double(p.kh) * p.kw))};
}

const Kernel& kernel(Context& ctx, const char* shader, size_t bindings, uint32_t push_bytes) {
  return ctx.kernel({shader, std::vector<BindingKind>(bindings, BindingKind::Storage), push_bytes, {kLocal, 1, 1}});
}

// Index arithmetic in the shaders is uint32.
void check_index_range(const char* op, uint64_t n) {
  if (n > 0xFFFFFFFFull) throw InputError(std::string(op) + ": tensor of " + std::to_string(n) + " elements is too large");
}

void validate_global(const char* op, uint32_t N, uint32_t C, uint32_t H, uint32_t W) {
  if (!N || !C || !H || !W) throw InputError(std::string(op) + ": every dimension must be positive");
  check_index_range(op, uint64_t(N) * C * H * W);
}

}  // namespace

void Pool2dShape::validate() const {
  if (!N || !C || !H || !W || !kh || !kw || !sh || !sw)
    throw InputError("pool2d: every size, window and stride must be positive");
  if (ph > kh / 2 || pw > kw / 2)
    throw InputError("pool2d: padding " + std::to_string(ph) + "," + std::to_string(pw) +
                     " exceeds half the window " + std::to_string(kh) + "x" + std::to_string(kw));
  if (H + 2 * ph < kh || W + 2 * pw < kw)
    throw InputError("pool2d: a " + std::to_string(kh) + "x" + std::to_string(kw) + " window does not fit a " +
                     std::to_string(H) + "x" + std::to_string(W) + " input with padding " + std::to_string(ph) + "," +
                     std::to_string(pw));
  check_index_range("pool2d", in_count());
}

void maxpool2d_forward(Stream& s, DeviceSpan y, DeviceSpan argmax, DeviceSpan x, const Pool2dShape& p) {
  p.validate();
  require_span("maxpool2d_forward", "x", x, p.in_count());
  require_span("maxpool2d_forward", "y", y, p.out_count());
  require_span("maxpool2d_forward", "argmax", argmax, p.out_count());
  const uint64_t n = p.out_count();
  s.dispatch(kernel(s.context(), "maxpool2d_forward", 3, sizeof(PoolPush)),
             {in(x.sub(0, p.in_count())), out(y.sub(0, n)), out(argmax.sub(0, n))}, push_for(p), groups_1d(n, kLocal));
}

std::string Pool2dShape::str() const {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%ux%ux%ux%u k%ux%u s%ux%u p%ux%u", N, C, H, W, kh, kw, sh, sw, ph, pw);
  return buf;
}

std::string maxpool_backward_name(MaxPoolBackward r) { return r == MaxPoolBackward::Scatter ? "scatter" : "gather"; }

std::vector<MaxPoolBackward> maxpool_backward_routes(const Pool2dShape& p) {
  if (p.sh >= p.kh && p.sw >= p.kw) return {MaxPoolBackward::Scatter, MaxPoolBackward::Gather};
  return {MaxPoolBackward::Gather};
}

void maxpool2d_backward(Stream& s, MaxPoolBackward route, DeviceSpan dx, DeviceSpan dy, DeviceSpan argmax,
                        const Pool2dShape& p) {
  p.validate();
  require_span("maxpool2d_backward", "dy", dy, p.out_count());
  require_span("maxpool2d_backward", "argmax", argmax, p.out_count());
  require_span("maxpool2d_backward", "dx", dx, p.in_count());
  const uint64_t n = p.in_count();
  if (route == MaxPoolBackward::Scatter) {
    if (p.sh < p.kh || p.sw < p.kw) throw Error("maxpool2d_backward: scatter needs windows that never overlap");
    s.fill(*dx.buffer, 0, dx.offset, n * 4);
    s.dispatch(kernel(s.context(), "maxpool2d_backward_scatter", 3, sizeof(PoolPush)),
               {in(dy.sub(0, p.out_count())), in(argmax.sub(0, p.out_count())), inout(dx.sub(0, n))}, push_for(p),
               groups_1d(p.out_count(), kLocal));
    return;
  }
  s.dispatch(kernel(s.context(), "maxpool2d_backward", 3, sizeof(PoolPush)),
             {in(dy.sub(0, p.out_count())), in(argmax.sub(0, p.out_count())), out(dx.sub(0, n))}, push_for(p),
             groups_1d(n, kLocal));
}

namespace {

struct WindowsPush {
  uint32_t windows, K;
};

// The grid of the window kernels: x = groups of `per_invocation` windows, y = channel.
std::array<uint32_t, 3> windows_grid(uint64_t windows, uint32_t K, uint32_t per_invocation) {
  if (windows > 0xFFFFFFFFull / 4 / K) throw InputError("conv2d with max pool: output too large for 32-bit indices");
  const uint64_t groups = (windows + uint64_t(per_invocation) * kLocal - 1) / (uint64_t(per_invocation) * kLocal);
  if (K > 65535 || groups > 65535) throw InputError("conv2d with max pool: over 65,535 workgroups in a grid dimension");
  return {static_cast<uint32_t>(groups), K, 1};
}

constexpr uint32_t kWindowsPerInvocation = 16;  // shaders/maxpool2x2_windows_backward.comp

}  // namespace

void maxpool2x2_windows_forward(Stream& s, DeviceSpan y, DeviceSpan argmax, DeviceSpan yw, uint32_t N, uint32_t K,
                                uint32_t PH, uint32_t PW, bool relu) {
  const uint64_t windows = uint64_t(N) * PH * PW, n = windows * K;
  require_span("maxpool2x2_windows_forward", "yw", yw, 4 * n);
  require_span("maxpool2x2_windows_forward", "y", y, n);
  require_span("maxpool2x2_windows_forward", "argmax", argmax, n);
  const auto grid = windows_grid(windows, K, 1);
  const Kernel& k = s.context().kernel({"maxpool2x2_windows_forward",
                                        {BindingKind::Texel, BindingKind::Storage, BindingKind::Storage},
                                        sizeof(WindowsPush),
                                        {kLocal, 1, 1},
                                        {PH * PW, relu ? 1u : 0u}});
  s.dispatch(k, {texel(yw.sub(0, 4 * n)), out(y.sub(0, n)), out(argmax.sub(0, n))},
             WindowsPush{static_cast<uint32_t>(windows), K}, grid);
}

uint32_t maxpool2x2_windows_chunks(uint32_t N, uint32_t PH, uint32_t PW) {
  return static_cast<uint32_t>((uint64_t(N) * PH * PW + kWindowsPerInvocation - 1) / kWindowsPerInvocation);
}

void maxpool2x2_windows_backward(Stream& s, DeviceSpan dyw, DeviceSpan bias_partial, DeviceSpan dy, DeviceSpan argmax,
                                 uint32_t N, uint32_t K, uint32_t PH, uint32_t PW) {
  const uint64_t windows = uint64_t(N) * PH * PW, n = windows * K;
  const uint32_t chunks = maxpool2x2_windows_chunks(N, PH, PW);
  require_span("maxpool2x2_windows_backward", "dy", dy, n);
  require_span("maxpool2x2_windows_backward", "argmax", argmax, n);
  require_span("maxpool2x2_windows_backward", "dyw", dyw, 4 * n);
  require_span("maxpool2x2_windows_backward", "bias_partial", bias_partial, uint64_t(K) * chunks);
  const auto grid = windows_grid(windows, K, kWindowsPerInvocation);
  struct Push {
    uint32_t windows, K, chunks;
  };
  const Kernel& k = s.context().kernel({"maxpool2x2_windows_backward",
                                        {BindingKind::Texel, BindingKind::Texel, BindingKind::Storage, BindingKind::Storage},
                                        sizeof(Push),
                                        {kLocal, 1, 1},
                                        {PH * PW, kWindowsPerInvocation}});
  s.dispatch(k,
             {texel_r32(dy.sub(0, n)), texel_r32(argmax.sub(0, n)), out(dyw.sub(0, 4 * n)),
              out(bias_partial.sub(0, uint64_t(K) * chunks))},
             Push{static_cast<uint32_t>(windows), K, chunks}, grid);
}

void avgpool2d_forward(Stream& s, DeviceSpan y, DeviceSpan x, const Pool2dShape& p) {
  p.validate();
  require_span("avgpool2d_forward", "x", x, p.in_count());
  require_span("avgpool2d_forward", "y", y, p.out_count());
  const uint64_t n = p.out_count();
  s.dispatch(kernel(s.context(), "avgpool2d_forward", 2, sizeof(PoolPush)), {in(x.sub(0, p.in_count())), out(y.sub(0, n))},
             push_for(p), groups_1d(n, kLocal));
}

void avgpool2d_backward(Stream& s, DeviceSpan dx, DeviceSpan dy, const Pool2dShape& p) {
  p.validate();
  require_span("avgpool2d_backward", "dy", dy, p.out_count());
  require_span("avgpool2d_backward", "dx", dx, p.in_count());
  const uint64_t n = p.in_count();
  s.dispatch(kernel(s.context(), "avgpool2d_backward", 2, sizeof(PoolPush)),
             {in(dy.sub(0, p.out_count())), out(dx.sub(0, n))}, push_for(p), groups_1d(n, kLocal));
}

void global_avgpool_forward(Stream& s, DeviceSpan y, DeviceSpan x, uint32_t N, uint32_t C, uint32_t H, uint32_t W) {
  validate_global("global_avgpool_forward", N, C, H, W);
  const uint64_t planes = uint64_t(N) * C, hw = uint64_t(H) * W;
  require_span("global_avgpool_forward", "x", x, planes * hw);
  require_span("global_avgpool_forward", "y", y, planes);
  const GlobalPoolPush push{static_cast<uint32_t>(planes), static_cast<uint32_t>(hw), static_cast<float>(1.0 / double(hw))};
  s.dispatch(kernel(s.context(), "global_avgpool_forward", 2, sizeof(GlobalPoolPush)),
             {in(x.sub(0, planes * hw)), out(y.sub(0, planes))}, push, groups_1d(planes, kLocal));
}

void global_avgpool_backward(Stream& s, DeviceSpan dx, DeviceSpan dy, uint32_t N, uint32_t C, uint32_t H,
                             uint32_t W) {
  validate_global("global_avgpool_backward", N, C, H, W);
  const uint64_t planes = uint64_t(N) * C, hw = uint64_t(H) * W;
  require_span("global_avgpool_backward", "dy", dy, planes);
  require_span("global_avgpool_backward", "dx", dx, planes * hw);
  const GlobalPoolPush push{static_cast<uint32_t>(planes), static_cast<uint32_t>(hw), static_cast<float>(1.0 / double(hw))};
  s.dispatch(kernel(s.context(), "global_avgpool_backward", 2, sizeof(GlobalPoolPush)),
             {in(dy.sub(0, planes)), out(dx.sub(0, planes * hw))}, push, groups_1d(planes * hw, kLocal));
}

}  // namespace vkt::nn
