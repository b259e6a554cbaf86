#include "nn/ops/uniform_store.hpp"


namespace vkt::nn {

bool uniform_store_ok(const KernelPolicy& p, uint64_t workgroups) {
  return p.uniform_store && p.subgroups_of_8() && workgroups <= 65535;
}

bool uniform_store_ok(const Context& ctx, uint64_t workgroups) { return uniform_store_ok(ctx.policy(), workgroups); }

}  // namespace vkt::nn
