#include "nn/ops/strided_sum.hpp"

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {

struct StridedSumPush {
  uint32_t I, J, stride_i, stride_j;
  float beta;
};

void strided_sum(Stream& s, DeviceSpan out, DeviceSpan x, uint32_t I, uint32_t J, uint32_t stride_i,
                 uint32_t stride_j, float beta) {
  if (I == 0) return;
  const uint64_t last = J == 0 ? 0 : uint64_t(I - 1) * stride_i + uint64_t(J - 1) * stride_j + 1;
  if (x.count < last || out.count < I) throw Error("strided_sum: spans too small for the shape");
  const Arg o{out.buffer, out.offset, out.bytes(), beta != 0.0f ? Access::ReadWrite : Access::Write, false};
  const StridedSumPush push{I, J, stride_i, stride_j, beta};
  // Contiguous rows of whole vec4s: 4 outputs per invocation, one fetch per row
  // (shaders/strided_sum_columns.comp).
  if (stride_i == 1 && I % 4 == 0 && stride_j % 4 == 0 && out.offset % 16 == 0 && vec4_texel_ok(s.context(), x.sub(0, last)) &&
      s.context().policy().column_sum) {
    const Kernel& k = s.context().kernel(
        {"strided_sum_columns", {BindingKind::Texel, BindingKind::Storage}, sizeof(StridedSumPush), {64, 1, 1}});
    const Arg o4{out.buffer, out.offset, uint64_t(I) * 4, beta != 0.0f ? Access::ReadWrite : Access::Write, false};
    s.dispatch(k, {texel(x.sub(0, last)), o4}, push, groups_1d(I / 4, 64));
    return;
  }
  if (J >= 1024 && I <= 65535) {  // long sums over few outputs: a workgroup per output
    const bool vec4 =
        stride_j == 1 && stride_i % 4 == 0 && J % 4 == 0 && vec4_texel_ok(s.context(), x.sub(0, last));
    const Kernel& k = s.context().kernel({"strided_sum_wide",
                                          {BindingKind::Texel, BindingKind::Storage},
                                          sizeof(StridedSumPush),
                                          {64, 1, 1},
                                          {vec4 ? 1u : 0u}});
    s.dispatch(k, {vec4 ? texel(x.sub(0, last)) : texel_r32(x.sub(0, last)), o}, push, {I, 1, 1});
    return;
  }
  const Kernel& k = s.context().kernel(
      {"strided_sum", {BindingKind::Storage, BindingKind::Storage}, sizeof(StridedSumPush), {64, 1, 1}});
  s.dispatch(k, {in(x), o}, push, groups_1d(I, 64));
}

}  // namespace vkt::nn
