#include "nn/ops/uniform_store.hpp"

#include "util/env.hpp"

namespace vkt::nn {

bool uniform_store_ok(const Context& ctx, uint64_t workgroups) {
  const auto& info = ctx.info();
  return info.subgroup_size == 8 && info.subgroup_shuffle && workgroups <= 65535 &&
         !env_switch("VKTRAIN_NO_UNIFORM_STORE");
}

}  // namespace vkt::nn
