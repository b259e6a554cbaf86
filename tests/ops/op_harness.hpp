#pragma once
// The GPU side of the op tests: upload double reference data as fp32, download results, and
// the two comparisons every op gets:
//   forward  — GPU output vs the double-precision reference (tests/reference/)
//   backward — GPU gradients vs central finite differences, in double, of the reference
//              forward projected on a random vector r (L = Σ r·y, so the GPU gets dy = r)
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "nn/ops/device_span.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "runtime/stream.hpp"
#include "tests/reference/gradcheck.hpp"

namespace vkt::test {

// A float device buffer holding `v` (at least 4 bytes so empty tensors still bind).
Buffer to_device(Context& ctx, const std::vector<double>& v, const std::string& name);
Buffer to_device_int(Context& ctx, const std::vector<int32_t>& v, const std::string& name);
// A float device buffer of n elements filled with NaN: a kernel that skips an element shows.
Buffer nan_buffer(Context& ctx, size_t n, const std::string& name);
std::vector<float> from_device(const Buffer& b, size_t n);

// CHECKs |gpu - ref| <= atol + rtol·|ref| elementwise; on failure prints the worst element.
void check_close(const std::vector<float>& gpu, const std::vector<double>& ref, double atol, double rtol,
                 const std::string& what);

// Finite differences of L(inputs) = Σ r·forward(inputs) with respect to inputs[which].
std::vector<double> fd_gradient(const ref::ForwardFn& forward, const ref::Inputs& inputs, size_t which,
                                const std::vector<double>& r);

// CHECKs a GPU gradient against finite differences: |gpu - fd| <= tol·max|fd| + tol_abs.
// Relative to the largest entry because fp32 rounding in the GPU's sums scales with the
// magnitude of the terms, not of each (possibly cancelling) result.
void check_gradient(const std::vector<float>& gpu, const std::vector<double>& fd, double tol, const std::string& what,
                    double tol_abs = 1e-6);

}  // namespace vkt::test
