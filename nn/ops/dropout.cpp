#include "nn/ops/dropout.hpp"

#include <cmath>
#include <vector>

#include "nn/ops/step_block.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

// Mirrors the push block of shaders/dropout.glsl.
struct DropoutPush {
  uint32_t n, seed, threshold;
  float scale;
};
static_assert(sizeof(DropoutPush) <= kMaxPushBytes);

constexpr uint32_t kLocal = 64;

void apply(const char* op, Stream& s, DeviceSpan dst, DeviceSpan src, uint64_t n, const DropoutParams& d,
           DeviceSpan step_block) {
  if (!(d.p >= 0.0 && d.p <= 1.0)) throw InputError(std::string(op) + ": p must be in [0, 1], got " + std::to_string(d.p));
  // The element index is a uint32 in the hash (as in the reference).
  if (n > 0xFFFFFFFFull) throw InputError(std::string(op) + ": " + std::to_string(n) + " elements are too many");
  if (n == 0) return;
  require_span(op, "input", src, n);
  require_span(op, "output", dst, n);
  require_span(op, "step_block", step_block, sizeof(StepBlock) / 4);
  const DropoutPush push{static_cast<uint32_t>(n), d.seed, dropout_threshold(d.p),
                         d.p >= 1.0 ? 0.0f : static_cast<float>(1.0 / (1.0 - d.p))};
  const uint32_t vec4 = (src.offset % 16 == 0 && dst.offset % 16 == 0) ? 1 : 0;
  src = src.sub(0, n), dst = dst.sub(0, n);
  // src through a texel view where it can be (shaders/vec4_io.glsl); same results either way.
  const bool texel_reads = vec4 && vec4_texel_ok(s.context(), src);
  using BK = BindingKind;
  std::vector<BK> kinds{BK::Storage, BK::Storage, BK::Storage};
  if (texel_reads) kinds.push_back(BK::Texel);
  const Kernel& k = s.context().kernel(
      {texel_reads ? "dropout_texel" : "dropout", kinds, sizeof(DropoutPush), {kLocal, 1, 1}, {vec4}});
  const bool same = src.buffer == dst.buffer && src.offset == dst.offset;
  const Arg o{dst.buffer, dst.offset, dst.bytes(), same ? Access::ReadWrite : Access::Write, false};
  const Arg step = in(step_block.sub(0, sizeof(StepBlock) / 4));
  const auto groups = groups_1d((n + 3) / 4, kLocal);
  if (texel_reads)
    s.dispatch(k, {in(src), o, step, texel(src)}, push, groups);
  else
    s.dispatch(k, {in(src), o, step}, push, groups);
}

}  // namespace

uint32_t dropout_threshold(double p) {
  if (!(p >= 0.0 && p <= 1.0)) throw InputError("dropout: p must be in [0, 1], got " + std::to_string(p));
  return static_cast<uint32_t>(std::ceil(p * 16777216.0));
}

void dropout_forward(Stream& s, DeviceSpan y, DeviceSpan x, uint64_t n, const DropoutParams& d, DeviceSpan step_block) {
  apply("dropout_forward", s, y, x, n, d, step_block);
}

void dropout_backward(Stream& s, DeviceSpan dx, DeviceSpan dy, uint64_t n, const DropoutParams& d,
                      DeviceSpan step_block) {
  apply("dropout_backward", s, dx, dy, n, d, step_block);
}

}  // namespace vkt::nn
