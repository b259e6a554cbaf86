#pragma once
// The host side of shaders/uniform_store.glsl (stores at addresses llvmpipe sees as uniform):
// the push-constant table its kernels read their workgroup ID back through, and whether a
// device and a grid allow it. Used by the Winograd transforms, col2im and the direct first
// layer's weight gradient.
#include <cstdint>

#include "runtime/context.hpp"

namespace vkt::nn {

// The `ident` member of a push block that includes uniform_store.glsl: 0..15.
struct UniformStoreTable {
  uint32_t ident[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
};

// Whether a grid of `workgroups` 8-invocation workgroups (one subgroup each) can store the
// uniform way: 8-lane subgroups with shuffle, and the grid fits in x (uniform_workgroup()
// reads gl_WorkGroupID.x only). KernelPolicy::uniform_store (VKTRAIN_NO_UNIFORM_STORE=1) says no.
bool uniform_store_ok(const KernelPolicy& p, uint64_t workgroups);
bool uniform_store_ok(const Context& ctx, uint64_t workgroups);

}  // namespace vkt::nn
