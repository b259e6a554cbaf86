#pragma once
// Elementwise add for residual connections: y = a + b over n floats.
// Backward is the identity to both inputs: da = dy and db = dy. A caller that can should simply
// reuse dy's span as da and db (no kernel at all); add_backward copies only where asked to.
#include "nn/ops/device_span.hpp"

namespace vkt::nn {

// y (n) = a (n) + b (n). y may be a or b itself (the same span).
void add_forward(Stream& s, DeviceSpan y, DeviceSpan a, DeviceSpan b, uint64_t n);

// da (n) = dy, db (n) = dy: copies dy into each of da, db that is non-empty and is not dy's own
// range (a span equal to dy already holds the gradient). Written, not accumulated.
void add_backward(Stream& s, DeviceSpan da, DeviceSpan db, DeviceSpan dy, uint64_t n);

}  // namespace vkt::nn
