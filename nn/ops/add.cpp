#include "nn/ops/add.hpp"

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// Mirrors the push block of shaders/add.comp.
struct AddPush {
  uint32_t n;
};
static_assert(sizeof(AddPush) <= kMaxPushBytes);

constexpr uint32_t kLocal = 64;

bool same_range(DeviceSpan a, DeviceSpan b) { return a.buffer == b.buffer && a.offset == b.offset; }

}  // namespace

void add_forward(Stream& s, DeviceSpan y, DeviceSpan a, DeviceSpan b, uint64_t n) {
  if (n == 0) return;
  require_span("add_forward", "a", a, n);
  require_span("add_forward", "b", b, n);
  require_span("add_forward", "y", y, n);
  const uint32_t vec4 = (a.offset % 16 == 0 && b.offset % 16 == 0 && y.offset % 16 == 0) ? 1 : 0;
  const Kernel& k = s.context().kernel({"add", {BindingKind::Storage, BindingKind::Storage, BindingKind::Storage},
                                        sizeof(AddPush), {kLocal, 1, 1}, {vec4}});
  a = a.sub(0, n), b = b.sub(0, n), y = y.sub(0, n);
  const bool in_place = same_range(y, a) || same_range(y, b);
  const Arg o{y.buffer, y.offset, y.bytes(), in_place ? Access::ReadWrite : Access::Write, false};
  s.dispatch(k, {in(a), in(b), o}, AddPush{uint32_t(n)}, groups_1d((n + 3) / 4, kLocal));
}

void add_backward(Stream& s, DeviceSpan da, DeviceSpan db, DeviceSpan dy, uint64_t n) {
  if (n == 0) return;
  require_span("add_backward", "dy", dy, n);
  for (DeviceSpan d : {da, db}) {
    if (d.empty() || same_range(d, dy)) continue;
    require_span("add_backward", "da/db", d, n);
    s.copy(*dy.buffer, *d.buffer, n * 4, dy.offset, d.offset);
  }
}

}  // namespace vkt::nn
