// GEMM and dense: every kernel (texel, tiled, vec4, subgroup), all four transposes, odd shapes, bias, ReLU,
// accumulation; the dense layer's backward against finite differences.
//
// Tolerances: a K-term fp32 dot product of U(-1,1) data errs by about sqrt(K)·2^-24·Σ|terms|
// (tests/reference/gradcheck.hpp). With K <= 300 and Σ|terms| <= K/4·(1+|bias|) that is
// < 1e-4; we check atol 2e-5·K^0.5 + rtol 1e-5, a few times above the expected error and far
// below any indexing mistake (which errs by O(1)).
#include <doctest/doctest.h>

#include <cmath>

#include "nn/ops/dense.hpp"
#include "nn/ops/gemm.hpp"
#include "tests/ops/op_harness.hpp"
#include "tests/reference/dense.hpp"
#include "tests/test_support.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

// rows x cols, each row followed by `pad` NaNs that no product may read.
std::vector<double> with_padding(const std::vector<double>& m, int rows, int cols, int pad) {
  if (pad == 0) return m;
  std::vector<double> out(size_t(rows) * (cols + pad), std::nan(""));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) out[size_t(r) * (cols + pad) + c] = m[size_t(r) * cols + c];
  return out;
}

// A kernel to test: the texel kernel comes in two forms, its lanes sharing A's rows by subgroup
// shuffle (gemm_texel_sg, where the device has subgroups of 8) or each fetching its own, by its
// rules or in given tiles (a GPU's candidates, tune-kernels' proposals: 16-row blocks shared,
// 12-wide ones not); the tiled kernel in every shape measured selection tries (nn/plan/gemm_plan.cpp) and one
// tune-kernels may propose (a narrow workgroup of 1-wide blocks); the vec4-load tiled kernel in
// its candidate shapes (shapes it cannot read as vec4s take the tiled kernel, checked too); the
// subgroup kernel in its default shape (rows one subgroup wide), in the 256-invocation shape
// for subgroups of 8, and 16 wide, where rows are not subgroups and lanes load their own A.
struct TestKernel {
  GemmPath path;
  bool a_shuffle;
  Gemm::Tiles tiles{};
};
const TestKernel kKernels[] = {{GemmPath::Texel, true},
                               {GemmPath::Texel, false},
                               {GemmPath::Texel, true, {16, 16, 4, 4}},
                               {GemmPath::Texel, true, {8, 2, 16, 8}},
                               {GemmPath::Texel, true, {32, 4, 4, 12}},
                               {GemmPath::Tiled, true},
                               {GemmPath::Tiled, true, {8, 8, 4, 4}},
                               {GemmPath::Tiled, true, {16, 16, 8, 8}},
                               {GemmPath::Tiled, true, {32, 8, 4, 4}},
                               {GemmPath::Tiled, true, {4, 16, 1, 8}},
                               {GemmPath::TiledVec4, true},
                               {GemmPath::TiledVec4, true, {16, 16, 8, 8}},
                               {GemmPath::TiledVec4, true, {32, 8, 4, 4}},
                               {GemmPath::Subgroup, true},
                               {GemmPath::Subgroup, true, {8, 32, 8, 4}},
                               {GemmPath::Subgroup, true, {16, 4, 4, 4}}};

// The shader a forced vec4 or subgroup product must take: its own where the operands and the
// device allow it, else the tiled kernel.
void check_forced_kernel(const Context& ctx, const Gemm& g, DeviceSpan a, DeviceSpan b, DeviceSpan bias, DeviceSpan c) {
  const Gemm::Tiles t = g.tiles.wx ? g.tiles : gemm_default_tiles(ctx.policy(), g.path);
  if (g.path == GemmPath::TiledVec4)
    CHECK(gemm_kernel(ctx, g, a, b, bias, c) == (vec4_gemm_ok(g, a, b, t) ? "gemm_tiled_vec4" : "gemm_tiled"));
  if (g.path == GemmPath::Subgroup)
    CHECK(gemm_kernel(ctx, g, a, b, bias, c) == (subgroup_gemm_ok(ctx.policy()) ? "gemm_subgroup" : "gemm_tiled"));
}

// The shader a texel product must take: the shuffled form wherever the device and shape allow
// it (rows of A at least 8, no splits along x), so that both forms really get tested.
std::string expected_texel_kernel(const Context& ctx, const Gemm& g) {
  // Given tiles share A's rows only in whole groups of 8 rows, 8 lanes along x.
  const bool tiles_ok = !g.tiles.wx || (g.tiles.tm % 8 == 0 && g.tiles.wx % 8 == 0);
  const bool shuffle =
      g.a_shuffle && tiles_ok && ctx.info().subgroup_size == 8 && ctx.info().subgroup_shuffle && g.M >= 8;
  return shuffle ? "gemm_texel_sg" : "gemm_texel";
}

// `pad` floats after each row of A and B: leading dimensions that are not multiples of 4.
void check_gemm(Context& ctx, TestKernel kernel, int M, int N, int K, bool ta, bool tb, BiasMode bias, bool relu,
                float beta, int pad = 0) {
  const GemmPath path = kernel.path;
  CAPTURE(kernel.a_shuffle);
  CAPTURE(M);
  CAPTURE(N);
  CAPTURE(K);
  CAPTURE(ta);
  CAPTURE(tb);
  CAPTURE(static_cast<int>(bias));
  CAPTURE(relu);
  CAPTURE(beta);
  CAPTURE(pad);
  const auto A = ref::random_vector(size_t(M) * K, 1 + M), B = ref::random_vector(size_t(K) * N, 2 + N);
  const auto C0 = ref::random_vector(size_t(M) * N, 3);
  const auto bv = ref::random_vector(bias == BiasMode::PerRow ? M : N, 4);
  std::vector<double> want = C0;
  ref::gemm(ta, tb, M, N, K, 1.0, A, B, beta, want);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double& v = want[size_t(m) * N + n];
      if (bias == BiasMode::PerColumn) v += bv[n];
      if (bias == BiasMode::PerRow) v += bv[m];
      if (relu) v = std::max(v, 0.0);
    }
  const int a_rows = ta ? K : M, a_cols = ta ? M : K, b_rows = tb ? N : K, b_cols = tb ? K : N;
  Buffer a = test::to_device(ctx, with_padding(A, a_rows, a_cols, pad), "A");
  Buffer b = test::to_device(ctx, with_padding(B, b_rows, b_cols, pad), "B");
  Buffer bb = test::to_device(ctx, bv, "bias");
  Buffer c = beta != 0.0f ? test::to_device(ctx, C0, "C") : test::nan_buffer(ctx, size_t(M) * N, "C");
  Gemm g;
  g.M = M, g.N = N, g.K = K, g.trans_a = ta, g.trans_b = tb, g.bias = bias, g.relu = relu, g.beta = beta;
  g.lda = a_cols + pad, g.ldb = b_cols + pad;
  g.path = path;
  g.a_shuffle = kernel.a_shuffle;
  g.tiles = kernel.tiles;
  CAPTURE(kernel.tiles.wx);
  CAPTURE(kernel.tiles.tm);
  // Every shape must really take the texel kernel when asked for it: rows that are not whole
  // vec4s are read through R32F views.
  if (path == GemmPath::Texel && ctx.info().rgba32f_texel_buffers) {
    CHECK(gemm_path(ctx, g, a, b, bb, c) == GemmPath::Texel);
    CHECK(gemm_kernel(ctx, g, a, b, bb, c) == expected_texel_kernel(ctx, g));
  }
  check_forced_kernel(ctx, g, a, b, bb, c);
  Stream s(ctx);
  gemm(s, g, a, b, bias == BiasMode::None ? DeviceSpan{} : DeviceSpan(bb), c);
  s.run();
  test::check_close(test::from_device(c, size_t(M) * N), want, 2e-5 * std::sqrt(double(K)) + 1e-6, 1e-5,
                    "gemm " + gemm_path_name(path));
}

}  // namespace

TEST_CASE("gemm: both kernels match the reference on odd shapes and every transpose") {
  Context ctx(test::test_context_options());
  for (TestKernel kernel : kKernels)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        // Texel-eligible shapes (contiguous dims multiple of 4) and ragged ones (fall back).
        check_gemm(ctx, kernel, 1, 4, 4, ta, tb, BiasMode::None, false, 0.0f);
        check_gemm(ctx, kernel, 36, 68, 132, ta, tb, BiasMode::None, false, 0.0f);
        check_gemm(ctx, kernel, 7, 33, 65, ta, tb, BiasMode::None, false, 0.0f);
        check_gemm(ctx, kernel, 127, 3, 1, ta, tb, BiasMode::None, false, 0.0f);
        // Blocks of 8 and 16 rows shared by shuffle, with M, N and K ragged against them and
        // a K that ends in a partial 4-deep step.
        check_gemm(ctx, kernel, 8, 12, 20, ta, tb, BiasMode::None, false, 0.0f);
        check_gemm(ctx, kernel, 41, 20, 9, ta, tb, BiasMode::None, false, 0.0f);
        check_gemm(ctx, kernel, 100, 132, 130, ta, tb, BiasMode::None, false, 0.0f);
      }
}

TEST_CASE("gemm: unaligned operands (K or a leading dimension not a multiple of 4) on every kernel") {
  // The texel kernel reads such operands one float per fetch (R32F views), zero-filling k >= K:
  // a 10-class layer's dy (batch, 10), batch 1, rows padded to odd leading dimensions.
  Context ctx(test::test_context_options());
  for (TestKernel kernel : kKernels)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        check_gemm(ctx, kernel, 64, 64, 10, ta, tb, BiasMode::None, false, 0.0f);
        check_gemm(ctx, kernel, 10, 64, 64, ta, tb, BiasMode::None, false, 1.0f);
        check_gemm(ctx, kernel, 1, 10, 64, ta, tb, BiasMode::PerColumn, true, 0.0f);
        check_gemm(ctx, kernel, 1, 36, 10, ta, tb, BiasMode::None, false, 0.0f);
        check_gemm(ctx, kernel, 24, 40, 32, ta, tb, BiasMode::PerRow, false, 0.0f, 1);
        check_gemm(ctx, kernel, 21, 18, 23, ta, tb, BiasMode::None, false, 0.5f, 3);
      }
}

TEST_CASE("gemm: bias per column and per row, fused ReLU, beta accumulation") {
  Context ctx(test::test_context_options());
  for (TestKernel kernel : kKernels) {
    check_gemm(ctx, kernel, 64, 128, 96, false, true, BiasMode::PerColumn, false, 0.0f);
    check_gemm(ctx, kernel, 64, 128, 96, false, true, BiasMode::PerRow, true, 0.0f);
    check_gemm(ctx, kernel, 33, 10, 64, false, true, BiasMode::PerColumn, true, 0.0f);
    check_gemm(ctx, kernel, 32, 64, 24, true, false, BiasMode::None, false, 1.0f);
    check_gemm(ctx, kernel, 20, 12, 8, false, false, BiasMode::None, false, 0.5f);
  }
}

TEST_CASE("gemm: split-K (few output tiles, long sums) matches the reference, with beta") {
  Context ctx(test::test_context_options());
  // N = 12: one block across, the splits run along x; N = 128: 16 blocks, splits along z (the
  // shuffled texel kernel's case).
  for (TestKernel kernel : kKernels)
    for (float beta : {0.0f, 1.0f})
      for (int K : {3000, 3001})  // 3001: the last chunk ends in a partial k-step
        for (int N : {12, 128}) {
        const int M = 20;
        const GemmPath path = kernel.path;
        CAPTURE(kernel.a_shuffle);
        CAPTURE(beta);
        CAPTURE(K);
        CAPTURE(N);
        const auto A = ref::random_vector(size_t(M) * K, 11), B = ref::random_vector(size_t(K) * N, 12);
        const auto C0 = ref::random_vector(size_t(M) * N, 13);
        std::vector<double> want = C0;
        ref::gemm(false, false, M, N, K, 1.0, A, B, beta, want);
        Buffer a = test::to_device(ctx, A, "A"), b = test::to_device(ctx, B, "B"), c = test::to_device(ctx, C0, "C");
        Buffer scratch = test::nan_buffer(ctx, gemm_split_scratch_floats(M, N), "split scratch");
        Gemm g;
        g.M = M, g.N = N, g.K = K, g.beta = beta, g.path = path, g.split_scratch = scratch;
        g.a_shuffle = kernel.a_shuffle;
        if (path == GemmPath::Texel && ctx.info().rgba32f_texel_buffers)
          CHECK(gemm_kernel(ctx, g, a, b, {}, c) == (N == 12 ? "gemm_texel" : expected_texel_kernel(ctx, g)));
        g.tiles = kernel.tiles;
        check_forced_kernel(ctx, g, a, b, a, c);
        Stream s(ctx);
        gemm(s, g, a, b, {}, c);
        CHECK(s.dispatch_count() == 2);  // the split GEMM and the sum of its slabs
        s.run();
        test::check_close(test::from_device(c, size_t(M) * N), want, 2e-5 * std::sqrt(double(K)), 1e-5, "split-K");
      }
}

TEST_CASE("gemm: c_block stores a convolution's output as NCHW") {
  Context ctx(test::test_context_options());
  const int M = 5, L = 7, images = 3, N = L * images, K = 8;  // M channels, N = images x L pixels
  const auto A = ref::random_vector(size_t(M) * K, 21), B = ref::random_vector(size_t(N) * K, 22);
  std::vector<double> plain(size_t(M) * N);
  ref::gemm(false, true, M, N, K, 1.0, A, B, 0.0, plain);
  std::vector<double> want(plain.size());
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) want[size_t(n / L) * M * L + size_t(m) * L + n % L] = plain[size_t(m) * N + n];
  for (GemmPath path : {GemmPath::Texel, GemmPath::Tiled, GemmPath::TiledVec4, GemmPath::Subgroup}) {
    Buffer a = test::to_device(ctx, A, "A"), b = test::to_device(ctx, B, "B"), c = test::nan_buffer(ctx, want.size(), "C");
    Gemm g;
    g.M = M, g.N = N, g.K = K, g.trans_b = true, g.c_block = L, g.path = path;
    Stream s(ctx);
    gemm(s, g, a, b, {}, c);
    s.run();
    test::check_close(test::from_device(c, want.size()), want, 1e-5, 1e-5, "blocked C " + gemm_path_name(path));
  }
}

TEST_CASE("gemm: the large tile variants (texel 8x8 and shuffled 16x8 blocks) on a 300x260x120 problem") {
  Context ctx(test::test_context_options());
  for (bool shuffle : {true, false}) {
    check_gemm(ctx, {GemmPath::Texel, shuffle}, 300, 260, 120, false, false, BiasMode::PerColumn, false, 0.0f);
    check_gemm(ctx, {GemmPath::Texel, shuffle}, 260, 300, 120, true, true, BiasMode::None, false, 0.0f);
  }
}

TEST_CASE("gemm: batched products in one dispatch, on every kernel") {
  Context ctx(test::test_context_options());
  const int batch = 3;
  for (TestKernel kernel : kKernels)
    for (int gap : {4, 1})  // gap 1: strides not multiples of 4, so one dispatch per product
      for (bool ta : {false, true})
        for (bool tb : {false, true}) {
          const int M = 20, N = 12, K = 36;
          const GemmPath path = kernel.path;
          CAPTURE(gemm_path_name(path));
          CAPTURE(kernel.a_shuffle);
          CAPTURE(gap);
          CAPTURE(ta);
          CAPTURE(tb);
          const uint32_t sa = M * K + gap, sb = K * N + gap, sc = M * N + gap;
          const auto A = ref::random_vector(size_t(sa) * batch, 31), B = ref::random_vector(size_t(sb) * batch, 32);
          std::vector<double> want(size_t(sc) * batch, 0.0);
          for (int z = 0; z < batch; ++z) {
            std::vector<double> a(A.begin() + z * sa, A.begin() + z * sa + M * K),
                b(B.begin() + z * sb, B.begin() + z * sb + K * N), c(size_t(M) * N, 0.0);
            ref::gemm(ta, tb, M, N, K, 1.0, a, b, 0.0, c);
            std::copy(c.begin(), c.end(), want.begin() + z * sc);
          }
          Buffer a = test::to_device(ctx, A, "A"), b = test::to_device(ctx, B, "B");
          Buffer c = test::to_device(ctx, std::vector<double>(want.size(), 0.0), "C");
          Gemm g;
          g.M = M, g.N = N, g.K = K, g.trans_a = ta, g.trans_b = tb, g.path = path;
          g.batch = batch, g.stride_a = sa, g.stride_b = sb, g.stride_c = sc;
          g.a_shuffle = kernel.a_shuffle;
          g.tiles = kernel.tiles;
          check_forced_kernel(ctx, g, a, b, a, c);
          Stream s(ctx);
          gemm(s, g, a, b, {}, c);
          CHECK(s.dispatch_count() == 1);
          s.run();
          // The gaps between products stay 0: nothing is written outside them.
          test::check_close(test::from_device(c, want.size()), want, 2e-5 * std::sqrt(double(K)), 1e-5, "batched");
        }
}

TEST_CASE("dense: forward vs reference, backward vs finite differences (odd shapes, batch 1)") {
  Context ctx(test::test_context_options());
  struct Case {
    uint32_t N, IN, OUT;
  };
  for (Case c : {Case{1, 3, 7}, Case{5, 33, 10}, Case{8, 64, 12}, Case{3, 127, 65}}) {
    CAPTURE(c.N);
    CAPTURE(c.IN);
    CAPTURE(c.OUT);
    const DenseShape d{c.N, c.IN, c.OUT};
    const ref::Inputs inputs = {ref::random_vector(c.N * c.IN, 1), ref::random_vector(c.OUT * c.IN, 2),
                                ref::random_vector(c.OUT, 3)};
    const ref::ForwardFn forward = [&](const ref::Inputs& in) {
      std::vector<double> y(c.N * c.OUT);
      ref::dense_forward(y, in[0], in[1], in[2], int(c.N), int(c.IN), int(c.OUT));
      return y;
    };
    Buffer x = test::to_device(ctx, inputs[0], "x"), W = test::to_device(ctx, inputs[1], "W"),
           b = test::to_device(ctx, inputs[2], "b");
    Buffer y = test::nan_buffer(ctx, c.N * c.OUT, "y");
    const auto r = ref::random_vector(c.N * c.OUT, 9);
    Buffer dy = test::to_device(ctx, r, "dy");
    Buffer dx = test::nan_buffer(ctx, c.N * c.IN, "dx"), dW = test::nan_buffer(ctx, c.OUT * c.IN, "dW"),
           db = test::nan_buffer(ctx, c.OUT, "db");
    Stream s(ctx);
    dense_forward(s, y, x, W, b, d);
    dense_backward(s, dx, dW, db, dy, x, W, d);
    s.run();
    const double tol = 2e-5 * std::sqrt(double(c.IN)) + 1e-6;
    test::check_close(test::from_device(y, c.N * c.OUT), forward(inputs), tol, 1e-5, "dense forward");
    test::check_gradient(test::from_device(dx, c.N * c.IN), test::fd_gradient(forward, inputs, 0, r), 1e-4, "dx");
    test::check_gradient(test::from_device(dW, c.OUT * c.IN), test::fd_gradient(forward, inputs, 1, r), 1e-4, "dW");
    test::check_gradient(test::from_device(db, c.OUT), test::fd_gradient(forward, inputs, 2, r), 1e-4, "db");
  }
}
