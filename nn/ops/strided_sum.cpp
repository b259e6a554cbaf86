#include "nn/ops/strided_sum.hpp"

#include "nn/plan/reduction_plan.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

struct StridedSumPush {
  uint32_t I, J, stride_i, stride_j;
  float beta;
};

bool columns_apply(const Context& ctx, const StridedSum& q, DeviceSpan out, DeviceSpan x) {
  return q.stride_i == 1 && q.I % 4 == 0 && q.stride_j % 4 == 0 && out.offset % 16 == 0 &&
         vec4_texel_ok(ctx, x.sub(0, q.x_floats()));
}
bool wide_applies(const Context& ctx, const StridedSum& q, DeviceSpan x) {
  // Texel reads (R32F, which every device has, where not whole vec4s), and one workgroup per
  // output in grid x.
  const KernelPolicy& p = ctx.policy();
  return q.I <= ctx.info().max_workgroup_count[0] && x.buffer->texel_capable() &&
         x.offset % p.texel_offset_alignment == 0 && q.x_floats() <= p.max_texel_elements;
}
bool wide_vec4(const Context& ctx, const StridedSum& q, DeviceSpan x) {
  return q.stride_j == 1 && q.stride_i % 4 == 0 && q.J % 4 == 0 && vec4_texel_ok(ctx, x.sub(0, q.x_floats()));
}

}  // namespace

uint64_t StridedSum::x_floats() const {
  return J == 0 || I == 0 ? 0 : uint64_t(I - 1) * stride_i + uint64_t(J - 1) * stride_j + 1;
}

std::string StridedSum::str() const {
  return std::to_string(I) + "x" + std::to_string(J) + " /" + std::to_string(stride_i) + "," + std::to_string(stride_j);
}

std::string strided_sum_route_name(StridedSumRoute r) {
  switch (r) {
    case StridedSumRoute::Columns: return "columns";
    case StridedSumRoute::Wide: return "wide";
    case StridedSumRoute::Rows: return "rows";
  }
  return "?";
}

std::vector<StridedSumRoute> strided_sum_routes(const Context& ctx, const StridedSum& q, DeviceSpan out, DeviceSpan x) {
  const bool columns = ctx.policy().column_sum && columns_apply(ctx, q, out, x);
  // A workgroup of 64 per output: with fewer terms than invocations some have nothing to add,
  // and the route cannot win; timing it would only slow the first run.
  const bool wide = q.J >= 64 && wide_applies(ctx, q, x);
  // The rule, measured on lavapipe: columns where it applies, a workgroup per output for sums of
  // 1,024 terms or more, one invocation per output otherwise.
  const StridedSumRoute rule = columns                 ? StridedSumRoute::Columns
                               : wide && q.J >= 1024 ? StridedSumRoute::Wide
                                                     : StridedSumRoute::Rows;
  std::vector<StridedSumRoute> r{rule};
  if (columns && rule != StridedSumRoute::Columns) r.push_back(StridedSumRoute::Columns);
  if (wide && rule != StridedSumRoute::Wide) r.push_back(StridedSumRoute::Wide);
  if (rule != StridedSumRoute::Rows) r.push_back(StridedSumRoute::Rows);
  return r;
}

void strided_sum_by(Stream& s, StridedSumRoute route, DeviceSpan out, DeviceSpan x, const StridedSum& q, float beta) {
  if (q.I == 0) return;
  const uint64_t last = q.x_floats();
  if (x.count < last || out.count < q.I) throw Error("strided_sum: spans too small for the shape");
  Context& ctx = s.context();
  const Access mode = beta != 0.0f ? Access::ReadWrite : Access::Write;
  const Arg o{out.buffer, out.offset, uint64_t(q.I) * 4, mode, false};
  const StridedSumPush push{q.I, q.J, q.stride_i, q.stride_j, beta};
  switch (route) {
    case StridedSumRoute::Columns: {
      if (!columns_apply(ctx, q, out, x)) throw Error("strided_sum: the columns route does not apply to " + q.str());
      const Kernel& k =
          ctx.kernel({"strided_sum_columns", {BindingKind::Texel, BindingKind::Storage}, sizeof(StridedSumPush), {64, 1, 1}});
      s.dispatch(k, {texel(x.sub(0, last)), o}, push, groups_1d(q.I / 4, 64));
      return;
    }
    case StridedSumRoute::Wide: {
      if (!wide_applies(ctx, q, x)) throw Error("strided_sum: the wide route does not apply to " + q.str());
      const bool vec4 = wide_vec4(ctx, q, x);
      const Kernel& k = ctx.kernel({"strided_sum_wide",
                                    {BindingKind::Texel, BindingKind::Storage},
                                    sizeof(StridedSumPush),
                                    {64, 1, 1},
                                    {vec4 ? 1u : 0u}});
      s.dispatch(k, {vec4 ? texel(x.sub(0, last)) : texel_r32(x.sub(0, last)), o}, push, {q.I, 1, 1});
      return;
    }
    case StridedSumRoute::Rows: {
      const Kernel& k =
          ctx.kernel({"strided_sum", {BindingKind::Storage, BindingKind::Storage}, sizeof(StridedSumPush), {64, 1, 1}});
      s.dispatch(k, {in(x.sub(0, last)), o}, push, groups_1d(q.I, 64));
      return;
    }
  }
}

void strided_sum(Stream& s, DeviceSpan out, DeviceSpan x, uint32_t I, uint32_t J, uint32_t stride_i,
                 uint32_t stride_j, float beta) {
  const StridedSum q{I, J, stride_i, stride_j};
  if (I == 0) return;
  strided_sum_by(s, plan_strided_sum(s.context(), q, out, x), out, x, q, beta);
}

}  // namespace vkt::nn
