#pragma once
// Which route a max pool's backward takes on this device (nn/ops/pool.hpp: scatter where the
// windows never overlap, gather always). With --autotune off, or one route, the rule's (scatter
// where it applies); otherwise the remembered or (full) measured fastest, checked against
// gather (nn/plan/choose.hpp). The forward passes have one kernel each.
#include <string>

#include "nn/ops/pool.hpp"

namespace vkt::nn {

MaxPoolBackward plan_maxpool2d_backward(Context& ctx, const Pool2dShape& p);
std::string maxpool_backward_cache_key(const Pool2dShape& p);

}  // namespace vkt::nn
