// The GEMM variants of the kernel lab, numbered as in dev/kernels/README.md:
//   1 naive  dev/kernels/gemm/gemm1_naive.comp, dispatched here
//   2 tiled  shaders/gemm_tiled.glsl (production), through nn::gemm with GemmPath::Tiled
//   3 texel  shaders/gemm_texel.glsl (production), through nn::gemm with GemmPath::Texel
// Every variant is compared with tests/reference's double-precision GEMM, then (bench) timed.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "dev/kernels/lab.hpp"
#include "nn/ops/gemm.hpp"
#include "nn/plan/measure.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "runtime/stream.hpp"
#include "tests/reference/dense.hpp"

namespace vkt::lab {
namespace {

using nn::BiasMode;
using nn::Gemm;
using nn::GemmPath;

enum class Variant { Naive = 1, Tiled = 2, Texel = 3 };
const Variant kVariants[] = {Variant::Naive, Variant::Tiled, Variant::Texel};
const char* variant_name(Variant v) { return v == Variant::Naive ? "naive" : v == Variant::Tiled ? "tiled" : "texel"; }

// One product with its operands on the host (as stored, leading dimensions included) and the
// reference result, in C's storage order.
struct Problem {
  Gemm g;  // lda/ldb/ldc set; stride_* set when batched
  std::vector<float> a, b, bias, c0;
  std::vector<float> want;
};

std::vector<float> random_floats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// `pad` floats after each stored row of A and B; C packed (or blocked with c_block).
Problem make_problem(Gemm g, uint32_t pad, uint32_t seed) {
  const uint32_t a_rows = g.trans_a ? g.K : g.M, a_cols = g.trans_a ? g.M : g.K;
  const uint32_t b_rows = g.trans_b ? g.N : g.K, b_cols = g.trans_b ? g.K : g.N;
  g.lda = a_cols + pad, g.ldb = b_cols + pad, g.ldc = g.N;
  const uint32_t batch = std::max(g.batch, 1u);
  const uint64_t sa = uint64_t(a_rows) * g.lda, sb = uint64_t(b_rows) * g.ldb, sc = uint64_t(g.M) * g.N;
  if (batch > 1) g.stride_a = uint32_t(sa), g.stride_b = uint32_t(sb), g.stride_c = uint32_t(sc);
  Problem p;
  p.g = g;
  p.a = random_floats(sa * batch, seed);
  p.b = random_floats(sb * batch, seed + 1);
  p.bias = random_floats(std::max(g.M, g.N), seed + 2);
  p.c0 = random_floats(sc * batch, seed + 3);
  p.want.resize(sc * batch);
  for (uint32_t z = 0; z < batch; ++z) {
    std::vector<double> A(size_t(a_rows) * a_cols), B(size_t(b_rows) * b_cols), C(sc);
    for (uint32_t r = 0; r < a_rows; ++r)
      for (uint32_t k = 0; k < a_cols; ++k) A[size_t(r) * a_cols + k] = p.a[z * sa + size_t(r) * g.lda + k];
    for (uint32_t r = 0; r < b_rows; ++r)
      for (uint32_t k = 0; k < b_cols; ++k) B[size_t(r) * b_cols + k] = p.b[z * sb + size_t(r) * g.ldb + k];
    ref::gemm(g.trans_a, g.trans_b, int(g.M), int(g.N), int(g.K), g.alpha, A, B, 0.0, C);
    for (uint32_t m = 0; m < g.M; ++m)
      for (uint32_t n = 0; n < g.N; ++n) {
        // C's storage index: row-major, or blocked (n / L, m, n % L) with c_block L.
        const size_t at = g.c_block ? size_t(n / g.c_block) * g.M * g.c_block + size_t(m) * g.c_block + n % g.c_block
                                    : size_t(m) * g.N + n;
        double v = C[size_t(m) * g.N + n] + double(g.beta) * p.c0[z * sc + at];
        if (g.bias == BiasMode::PerColumn) v += p.bias[n];
        if (g.bias == BiasMode::PerRow) v += p.bias[m];
        if (g.relu) v = std::max(v, 0.0);
        p.want[z * sc + at] = float(v);
      }
  }
  return p;
}

struct DeviceProblem {
  Buffer a, b, bias, c;
  DeviceProblem(Context& ctx, const Problem& p)
      : a(ctx, p.a.size() * 4, "lab A"), b(ctx, p.b.size() * 4, "lab B"), bias(ctx, p.bias.size() * 4, "lab bias"),
        c(ctx, p.c0.size() * 4, "lab C") {
    a.upload(p.a), b.upload(p.b), bias.upload(p.bias);
    reset(p);
  }
  void reset(const Problem& p) { c.upload(p.c0); }
};

// The production kernels' product, forced to variant `v` (tiled or texel).
Gemm forced(const Gemm& g_in, Variant v) {
  Gemm g = g_in;
  g.path = v == Variant::Tiled ? GemmPath::Tiled : GemmPath::Texel;
  return g;
}

// Records variant `v` of p.g into `s`; false where the device cannot run it (texel views).
bool record(Stream& s, Variant v, const Gemm& g_in, DeviceProblem& d) {
  Context& ctx = s.context();
  const nn::DeviceSpan bias = g_in.bias == BiasMode::None ? nn::DeviceSpan(d.a) : nn::DeviceSpan(d.bias);
  if (v == Variant::Naive) {
    const nn::GemmPush push{g_in.M,  g_in.N, g_in.K,  g_in.lda, g_in.ldb, g_in.ldc, g_in.alpha, g_in.beta,
                            uint32_t(g_in.bias), g_in.relu, g_in.c_block, 0, 0, g_in.stride_a, g_in.stride_b,
                            g_in.stride_c};
    const KernelSpec spec{"gemm1_naive",
                          {BindingKind::Storage, BindingKind::Storage, BindingKind::Storage, BindingKind::Storage},
                          sizeof(nn::GemmPush),
                          {16, 4, 1},
                          {1, 1, g_in.trans_a, g_in.trans_b}};
    const Access c_access = g_in.beta != 0.0f ? Access::ReadWrite : Access::Write;
    s.dispatch(ctx.kernel(spec), {in(d.a), in(d.b), nn::in(bias), Arg{&d.c, 0, d.c.size(), c_access, false}}, push,
               {(g_in.N + 15) / 16, (g_in.M + 3) / 4, std::max(g_in.batch, 1u)});
    return true;
  }
  const Gemm g = forced(g_in, v);
  if (nn::gemm_path(ctx, g, d.a, d.b, bias, d.c) != g.path) return false;
  nn::gemm(s, g, d.a, d.b, bias, d.c);
  return true;
}

ContextOptions lab_context(const std::string& device) {
  ContextOptions o;
  o.device = device;
  o.persist_pipeline_cache = false;  // the lab leaves the user's caches alone
  return o;
}

}  // namespace

int gemm_check(const std::string& device) {
  Context ctx(lab_context(device));
  struct Case {
    const char* what;
    Gemm g;
    uint32_t pad;
  };
  const auto gemm = [](uint32_t M, uint32_t N, uint32_t K, bool ta, bool tb) {
    Gemm g;
    g.M = M, g.N = N, g.K = K, g.trans_a = ta, g.trans_b = tb;
    return g;
  };
  std::vector<Case> cases;
  cases.push_back({"1x1x1", gemm(1, 1, 1, false, false), 0});
  cases.push_back({"7x5x3 ta", gemm(7, 5, 3, true, false), 0});
  {
    Gemm g = gemm(33, 17, 65, false, true);
    g.bias = BiasMode::PerColumn, g.relu = true;
    cases.push_back({"33x17x65 tb bias/col relu", g, 0});
  }
  {
    Gemm g = gemm(64, 10, 128, true, true);
    g.bias = BiasMode::PerRow, g.beta = 1.0f, g.alpha = 0.5f;
    cases.push_back({"64x10x128 ta tb bias/row alpha 0.5 beta 1", g, 0});
  }
  cases.push_back({"20x12x36 rows padded by 1", gemm(20, 12, 36, false, false), 1});
  {
    Gemm g = gemm(5, 21, 8, false, true);
    g.c_block = 7;
    cases.push_back({"5x21x8 tb c_block 7", g, 0});
  }
  {
    Gemm g = gemm(20, 12, 36, true, false);
    g.batch = 3;
    cases.push_back({"3 x 20x12x36 ta batched", g, 0});
  }
  constexpr double kTolerance = 1e-5;  // relative L2 of fp32 sums against double ones (~1e-7)
  int failed = 0, ran = 0;
  uint32_t seed = 1;
  for (const Case& c : cases) {
    const Problem p = make_problem(c.g, c.pad, seed += 10);
    for (Variant v : kVariants) {
      DeviceProblem d(ctx, p);
      Stream s(ctx);
      if (!record(s, v, p.g, d)) {
        std::printf("gemm %-5s %-42s not on this device\n", variant_name(v), c.what);
        continue;
      }
      s.run();
      const double err = nn::relative_l2(d.c.download_as<float>(p.want.size()), p.want);
      const bool ok = err <= kTolerance;
      failed += !ok, ++ran;
      std::printf("gemm %-5s %-42s rel. L2 error %.2e %s\n", variant_name(v), c.what, err, ok ? "ok" : "FAILED");
    }
  }
  // The naive and tiled kernels run everywhere: a check that ran fewer variants tested less.
  if (ran < int(cases.size()) * 2) {
    std::printf("gemm: only %d of the %zu naive and tiled runs ran\n", ran, cases.size() * 2);
    return 1;
  }
  std::printf("gemm: %d of %d runs differ from the reference\n", failed, ran);
  return failed ? 1 : 0;
}

int gemm_bench(const BenchOptions& o) {
  Context ctx(lab_context(o.device));
  std::vector<std::array<uint32_t, 3>> shapes{{128, 128, 784}, {64, 128, 784}, {64, 10, 128}, {64, 64, 64}};
  if (!o.shape.empty()) {
    std::array<uint32_t, 3> s{};
    if (std::sscanf(o.shape.c_str(), "%ux%ux%u", &s[0], &s[1], &s[2]) != 3 || !s[0] || !s[1] || !s[2])
      throw std::invalid_argument("--shape " + o.shape + ": takes MxNxK, e.g. 128x128x784");
    shapes = {s};
  }
  std::printf("device: %s, median of %d runs after %d warm-up\n%-16s %-6s %-16s %10s %9s %10s\n",
              ctx.info().name.c_str(), o.repeats, o.warmup, "MxNxK", "var", "kernel", "ms", "GFLOP/s", "rel.err");
  int failed = 0;
  uint32_t seed = 100;
  for (const auto& sh : shapes) {
    Gemm g;
    g.M = sh[0], g.N = sh[1], g.K = sh[2];
    const Problem p = make_problem(g, 0, seed += 10);
    const std::string shape = std::to_string(g.M) + "x" + std::to_string(g.N) + "x" + std::to_string(g.K);
    for (Variant v : kVariants) {
      DeviceProblem d(ctx, p);
      Stream s(ctx);
      s.timestamp("start");
      if (!record(s, v, p.g, d)) continue;
      s.timestamp("end");
      s.run();
      const double err = nn::relative_l2(d.c.download_as<float>(p.want.size()), p.want);
      failed += !(err <= 1e-5);
      for (int i = 1; i < o.warmup; ++i) s.run();
      std::vector<double> ms;
      for (int i = 0; i < o.repeats; ++i) ms.push_back(nn::run_and_time(s));
      const double m = nn::median(ms);
      const std::string kernel = v == Variant::Naive ? "gemm1_naive"
                                                     : nn::gemm_kernel(ctx, forced(p.g, v), d.a, d.b, d.a, d.c);
      std::printf("%-16s %-6s %-16s %10.3f %9.1f %10.1e\n", shape.c_str(), variant_name(v), kernel.c_str(), m,
                  2.0 * g.M * g.N * g.K / (m * 1e6), err);
      std::fflush(stdout);
    }
  }
  return failed ? 1 : 0;
}

}  // namespace vkt::lab
