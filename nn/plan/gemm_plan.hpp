#pragma once
// Which kernel a GEMM takes on this device. The candidates: the texel kernel (with its own
// tile rules, nn/ops/gemm.cpp) where the operands can be read as texels, the tiled
// shared-memory kernel in several workgroup and block shapes; on a GPU also the texel kernel
// in a few given shapes, the tiled kernel with vec4 loads where the operands allow them
// (vec4_gemm_ok) and the subgroup-shuffle kernel where the device has shuffle
// (subgroup_gemm_ok), each in a few shapes within the device's limits; on any device, the
// shapes `vktrain tune-kernels --remember` found for the product's size. On a CPU driver,
// where the texel kernel applies its rules are the only candidate besides those (gemm_plan.cpp
// says why). With --autotune off (or a product only one kernel can do: a fused pool, a pooled
// operand, beta != 0), the rule's choice; with cached / full, the winner remembered for this
// product's shape on this device, or (full) measured now on random operands: every candidate
// checked against the tiled 16 x 16 x 4 x 4 kernel's result and timed with device
// timestamps, taking turns.
#include <optional>
#include <string>
#include <vector>

#include "nn/ops/gemm.hpp"

namespace vkt::nn {

struct GemmVariant {
  GemmPath path = GemmPath::Tiled;
  Gemm::Tiles tiles;  // zeros: gemm_default_tiles, or the texel kernel's rules
  // "texel" (its rules), "texel 16x16 4x4", "tiled 16x16 4x4", "vec4 16x16 4x4", "subgroup 32x4 4x4"
  std::string name() const;
  bool operator==(const GemmVariant& o) const {
    return path == o.path && tiles.wx == o.tiles.wx && tiles.wy == o.tiles.wy && tiles.tm == o.tiles.tm &&
           tiles.tn == o.tiles.tn;
  }
};

// The variants that can compute `g` with these operands on this device; the first is the
// rule's choice (`rule`, what gemm_path() says).
std::vector<GemmVariant> gemm_candidates(const Context& ctx, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias,
                                         DeviceSpan c, GemmPath rule);

// Whether the tiled kernel in this shape stays within the device's workgroup and
// shared-memory limits.
bool tiled_shape_fits(const KernelPolicy& p, const Gemm::Tiles& t);
// Whether a wx x wy workgroup stays within the device's workgroup limits: all the subgroup
// kernel needs (it uses no shared memory).
bool gemm_workgroup_fits(const KernelPolicy& p, const Gemm::Tiles& t);

// The variant gemm() records for `g` (g.path is Auto). Never measures under --autotune off.
GemmVariant plan_gemm(Context& ctx, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c,
                      GemmPath rule);

// The kernels whose workgroup and block `vktrain tune-kernels` searches.
inline constexpr GemmPath kTunableKernels[] = {GemmPath::Texel, GemmPath::Tiled, GemmPath::TiledVec4,
                                               GemmPath::Subgroup};
// The kernel-cache key under which `vktrain tune-kernels --remember` keeps the best shape of
// `kernel` it found for a product of this size ("tiled-shape 128x128x784 tb"); plan_gemm adds
// that shape to the candidates it measures.
std::string tuned_shape_key(const Gemm& g, GemmPath kernel);
// A variant's name ("texel", "texel 16x4 8x8", "tiled 8x2 4x8", ...) -> that variant; nullopt
// for any other text.
std::optional<GemmVariant> parse_gemm_variant(const std::string& name);

// Whether the texel kernel can take these given tiles: blocks of 4 to 16 in steps of 4, a
// workgroup within the device's limits.
bool texel_tiles_ok(const KernelPolicy& p, const Gemm::Tiles& t);
// Whether `v` can compute `g` with these operands on this device: its kernel reads them (as
// gemm_path would take it when forced) and its tiles fit.
bool gemm_variant_applies(const Context& ctx, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias,
                          DeviceSpan c, const GemmVariant& v);

struct GemmMeasurement {
  GemmVariant variant;
  double ms = 0;      // median device time of one product
  double error = 0;   // relative L2 difference from the tiled 16 x 16 x 4 x 4 kernel's C
  bool correct = false;
};
// Times every candidate on random operands as large as the (packed) product `g` reads; a
// candidate more than twice as slow as the fastest in its first run is not run again. The
// tiled 16 x 16 4 x 4 reference runs once, untimed, where it is not a candidate itself; a
// candidate that does not apply (gemm_variant_applies) is reported as failed.
std::vector<GemmMeasurement> measure_gemm(Context& ctx, const Gemm& g, const std::vector<GemmVariant>& candidates,
                                          int reps = 3);

}  // namespace vkt::nn
