#include "nn/ops/gemm.hpp"

#include <cstdlib>
#include <cstring>

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

Gemm packed(Gemm g) {
  if (!g.lda) g.lda = g.trans_a ? g.M : g.K;
  if (!g.ldb) g.ldb = g.trans_b ? g.K : g.N;
  if (!g.ldc) g.ldc = g.N;
  return g;
}

void require_fits(const char* what, DeviceSpan s, uint64_t rows, uint64_t cols, uint64_t ld) {
  const uint64_t need = rows == 0 ? 0 : (rows - 1) * ld + cols;
  if (s.count < need)
    throw Error(std::string("gemm: ") + what + " holds " + std::to_string(s.count) + " floats, the shape needs " +
                std::to_string(need));
}

bool vec4_rows(uint32_t ld, DeviceSpan s, const DeviceInfo& info) {
  return ld % 4 == 0 && s.offset % 16 == 0 && s.offset % info.min_texel_buffer_offset_alignment == 0 &&
         (s.count + 3) / 4 <= info.max_texel_buffer_elements && s.buffer->texel_capable();
}

}  // namespace

std::string gemm_path_name(GemmPath p) {
  return p == GemmPath::Texel ? "texel" : p == GemmPath::Tiled ? "tiled" : "auto";
}

GemmPath gemm_path(const Context& ctx, const Gemm& g_in, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c) {
  const Gemm g = packed(g_in);
  const auto& info = ctx.info();
  // The texel kernel reads rows as vec4s: leading dimensions must be multiples of 4, and so
  // must K for a K-contiguous operand.
  // An M- or N-contiguous operand may have any M or N: its last vec4 stays inside the row's
  // padding (ld is a multiple of 4) or the buffer's 16-byte tail.
  const bool a_ok = vec4_rows(g.lda, a, info) && (g.trans_a || g.K % 4 == 0);
  const bool b_ok = vec4_rows(g.ldb, b, info) && (!g.trans_b || g.K % 4 == 0);
  const bool bias_ok = g.bias == BiasMode::None || (bias.offset % 16 == 0 && bias.buffer->texel_capable());
  const bool texel_ok = a_ok && b_ok && bias_ok && info.rgba32f_texel_buffers;
  (void)c;

  GemmPath want = g.path;
  if (want == GemmPath::Auto) {
    if (const char* env = std::getenv("VKTRAIN_GEMM")) {
      if (std::strcmp(env, "texel") == 0) want = GemmPath::Texel;
      if (std::strcmp(env, "tiled") == 0) want = GemmPath::Tiled;
    }
  }
  if (want == GemmPath::Auto) want = info.type == VK_PHYSICAL_DEVICE_TYPE_CPU ? GemmPath::Texel : GemmPath::Tiled;
  if (want == GemmPath::Texel && !texel_ok) want = GemmPath::Tiled;
  return want;
}

void gemm(Stream& s, const Gemm& g_in, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c) {
  const Gemm g = packed(g_in);
  if (g.M == 0 || g.N == 0) return;
  require_fits("A", a, g.trans_a ? g.K : g.M, g.trans_a ? g.M : g.K, g.lda);
  require_fits("B", b, g.trans_b ? g.N : g.K, g.trans_b ? g.K : g.N, g.ldb);
  require_fits("C", c, g.M, g.N, g.ldc);
  if (g.bias != BiasMode::None) require_fits("bias", bias, 1, g.bias == BiasMode::PerColumn ? g.N : g.M, 0);
  // An unused bias binding still needs a valid buffer: bind A in its place.
  const DeviceSpan bias_or_a = g.bias == BiasMode::None ? a : bias;

  Context& ctx = s.context();
  const GemmPush push{g.M, g.N, g.K, g.lda, g.ldb, g.ldc, g.alpha, g.beta, static_cast<uint32_t>(g.bias),
                      g.relu ? 1u : 0u};
  const uint32_t trans_a = g.trans_a, trans_b = g.trans_b;
  const Access c_access = g.beta != 0.0f ? Access::ReadWrite : Access::Write;
  const Arg c_arg{c.buffer, c.offset, c.bytes(), c_access, false};

  if (gemm_path(ctx, g, a, b, bias_or_a, c) == GemmPath::Texel) {
    // Small outputs get 4x4 blocks so that both CPU threads (and every SIMD lane) have work.
    const bool small = uint64_t(g.M) * g.N < 256ull * 256;
    const uint32_t tm = small ? 4 : 8, tn = small ? 4 : 8;
    KernelSpec spec{"gemm_texel",
                    {BindingKind::Texel, BindingKind::Texel, BindingKind::Texel, BindingKind::Storage},
                    sizeof(GemmPush),
                    {8, 8, 1},
                    {tm, tn, trans_a, trans_b}};
    const Kernel& k = ctx.kernel(spec);
    const uint32_t gx = (g.N + tn * 8 - 1) / (tn * 8), gy = (g.M + tm * 8 - 1) / (tm * 8);
    s.dispatch(k, {texel(a), texel(b), texel(bias_or_a), c_arg}, push, {gx, gy, 1});
    return;
  }
  const uint32_t tm = 4, tn = 4, bk = 16, wx = 16, wy = 16;
  KernelSpec spec{"gemm_tiled",
                  {BindingKind::Storage, BindingKind::Storage, BindingKind::Storage, BindingKind::Storage},
                  sizeof(GemmPush),
                  {wx, wy, 1},
                  {tm, tn, trans_a, trans_b, bk},
                  (bk * wy * tm + bk * wx * tn) * 4};
  const Kernel& k = ctx.kernel(spec);
  const uint32_t gx = (g.N + wx * tn - 1) / (wx * tn), gy = (g.M + wy * tm - 1) / (wy * tm);
  s.dispatch(k, {in(a), in(b), in(bias_or_a), c_arg}, push, {gx, gy, 1});
}

}  // namespace vkt::nn
