#include "nn/ops/layout.hpp"

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {

void swap_axes01(Stream& s, DeviceSpan dst, DeviceSpan src, uint32_t A, uint32_t B, uint32_t L, uint32_t outer) {
  struct Push {
    uint32_t count;
  };
  const uint64_t n = uint64_t(outer) * A * B * L;
  if (src.count < n || dst.count < n) throw Error("swap_axes01: spans too small");
  if (n > 0xffffffffull) throw Error("swap_axes01: over 2^32 elements");
  const Kernel& k = s.context().kernel(
      {"swap_axes01", {BindingKind::Texel, BindingKind::Storage}, sizeof(Push), {64, 1, 1}, {A, B, L}});
  s.dispatch(k, {texel_r32(src.sub(0, n)), out(dst.sub(0, n))}, Push{static_cast<uint32_t>(n)}, groups_1d(n, 64));
}

void pad_rows(Stream& s, DeviceSpan dst, DeviceSpan src, uint32_t rows, uint32_t cols, uint32_t ld_src,
              uint32_t ld_dst, uint32_t first_col) {
  struct Push {
    uint32_t rows, cols, ld_src, ld_dst, first_col;
  };
  if (src.count < uint64_t(rows - 1) * ld_src + first_col + cols || dst.count < uint64_t(rows) * ld_dst)
    throw Error("pad_rows: spans too small");
  const Kernel& k =
      s.context().kernel({"pad_rows", {BindingKind::Storage, BindingKind::Storage}, sizeof(Push), {64, 1, 1}});
  s.dispatch(k, {in(src), out(dst.sub(0, uint64_t(rows) * ld_dst))}, Push{rows, cols, ld_src, ld_dst, first_col},
             groups_1d(uint64_t(rows) * ld_dst, 64));
}

}  // namespace vkt::nn
