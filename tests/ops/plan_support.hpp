#pragma once
// What the plan tests share: a private kernel cache and the --autotune mode on a Context.
#include <cstdlib>

#include "runtime/context.hpp"
#include "tests/temp_dir.hpp"

namespace vkt::test {

// Each test case runs in its own process (ctest): a private XDG_CACHE_HOME keeps the user's
// kernel cache, and the other tests', out of it.
struct PrivateCache {
  TempDir dir;
  PrivateCache() { setenv("XDG_CACHE_HOME", dir.path().c_str(), 1); }
};

inline Context& with_autotune(Context& ctx, AutotuneMode m) {
  KernelPolicy p = ctx.policy();
  p.autotune = m;
  ctx.set_policy(p);
  return ctx;
}

}  // namespace vkt::test
