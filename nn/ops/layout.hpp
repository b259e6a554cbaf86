#pragma once
// Data movement the convolution's GEMMs need around them.
#include "nn/ops/device_span.hpp"

namespace vkt::nn {

// dst (outer, B, A, L) = src (outer, A, B, L): NCHW (N, C, HW) <-> CNHW (C, N, HW), or with
// L = 1 and `outer` filters, a convolution's weights (K, C, RS) -> (K, RS, C).
void swap_axes01(Stream& s, DeviceSpan dst, DeviceSpan src, uint32_t A, uint32_t B, uint32_t L, uint32_t outer = 1);

// dst (rows, ld_dst) = src (rows, cols; leading dimension ld_src, starting at column
// first_col), zero-padded to ld_dst.
void pad_rows(Stream& s, DeviceSpan dst, DeviceSpan src, uint32_t rows, uint32_t cols, uint32_t ld_src,
              uint32_t ld_dst, uint32_t first_col = 0);

}  // namespace vkt::nn
