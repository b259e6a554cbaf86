// Benchmark rows for GEMM (square 1024³, both kernels; the CNN's conv2 products) and the seed
// models' dense layers.
#include <random>

#include "apps/bench/bench_case.hpp"
#include "apps/bench/bench_check.hpp"
#include "apps/bench/seed_shapes.hpp"
#include "nn/ops/dense.hpp"
#include "nn/ops/gemm.hpp"
#include "tests/reference/dense.hpp"

namespace vkt::app {
namespace {

struct GemmState {
  std::vector<double> a, b;
  Buffer A, B, C;
};

// C (M, N) = op(A) op(B), A stored (K, M) when trans_a, B stored (N, K) when trans_b.
BenchCase gemm_case(Context& ctx, uint32_t M, uint32_t N, uint32_t K, bool trans_a, bool trans_b,
                    nn::GemmPath path) {
  auto st = std::make_shared<GemmState>();
  st->a = random_data(size_t(M) * K, 1);
  st->b = random_data(size_t(K) * N, 2);
  st->A = device_copy(ctx, st->a, "A");
  st->B = device_copy(ctx, st->b, "B");
  st->C = device_zeros(ctx, size_t(M) * N, "C");
  nn::Gemm g;
  g.M = M, g.N = N, g.K = K, g.trans_a = trans_a, g.trans_b = trans_b;
  g.path = path;
  BenchCase c;
  c.flops = 2.0 * M * N * K;
  c.variant = nn::gemm_kernel(ctx, g, st->A, st->B, {}, st->C).substr(5);  // "texel_sg", "tiled", ...
  c.record = [st, g](Stream& s) { nn::gemm(s, g, st->A, st->B, {}, st->C); };
  c.check = [st, M, N, K, trans_a, trans_b]() {
    // 400 sampled elements against double dot products: a full 1024³ reference takes seconds.
    const auto got = st->C.download_all<float>();
    std::mt19937 rng(7);
    std::vector<float> g;
    std::vector<double> want;
    for (int t = 0; t < 400; ++t) {
      const uint32_t i = rng() % M, j = rng() % N;
      double acc = 0;
      for (uint32_t k = 0; k < K; ++k)
        acc += st->a[trans_a ? size_t(k) * M + i : size_t(i) * K + k] * st->b[trans_b ? size_t(j) * K + k : size_t(k) * N + j];
      want.push_back(acc);
      g.push_back(got[size_t(i) * N + j]);
    }
    return compare_to_reference(g, want, 1e-5);
  };
  c.keep_alive = st;
  return c;
}

struct DenseState {
  std::vector<double> x, w, b, dy;
  Buffer X, W, Bias, Y, DY, DX, DW, DB;
};

BenchCase dense_case(Context& ctx, const nn::DenseShape& d, bool backward) {
  auto st = std::make_shared<DenseState>();
  st->x = random_data(d.N * d.IN, 1);
  st->w = random_data(d.OUT * d.IN, 2);
  st->b = random_data(d.OUT, 3);
  st->dy = random_data(d.N * d.OUT, 4);
  st->X = device_copy(ctx, st->x, "x");
  st->W = device_copy(ctx, st->w, "W");
  st->Bias = device_copy(ctx, st->b, "b");
  st->DY = device_copy(ctx, st->dy, "dy");
  st->Y = device_zeros(ctx, d.N * d.OUT, "y");
  st->DX = device_zeros(ctx, d.N * d.IN, "dx");
  st->DW = device_zeros(ctx, d.OUT * d.IN, "dW");
  st->DB = device_zeros(ctx, d.OUT, "db");
  BenchCase c;
  c.flops = (backward ? 4.0 : 2.0) * d.N * d.IN * d.OUT;
  if (!backward) {
    c.record = [st, d](Stream& s) { nn::dense_forward(s, st->Y, st->X, st->W, st->Bias, d); };
    c.check = [st, d]() {
      std::vector<double> y(d.N * d.OUT);
      ref::dense_forward(y, st->x, st->w, st->b, int(d.N), int(d.IN), int(d.OUT));
      return compare_to_reference(st->Y.download_as<float>(y.size()), y);
    };
  } else {
    c.record = [st, d](Stream& s) { nn::dense_backward(s, st->DX, st->DW, st->DB, st->DY, st->X, st->W, d); };
    c.check = [st, d]() {
      std::vector<double> dx(d.N * d.IN, 0.0), dw(d.OUT * d.IN, 0.0), db(d.OUT, 0.0);
      ref::dense_backward(dx, dw, db, st->dy, st->x, st->w, int(d.N), int(d.IN), int(d.OUT));
      std::string e = compare_to_reference(st->DX.download_as<float>(dx.size()), dx);
      if (e.empty()) e = compare_to_reference(st->DW.download_as<float>(dw.size()), dw);
      if (e.empty()) e = compare_to_reference(st->DB.download_as<float>(db.size()), db);
      return e;
    };
  }
  c.keep_alive = st;
  return c;
}

}  // namespace

void add_gemm_cases(std::vector<BenchEntry>& table) {
  table.push_back({"gemm", "1024x1024x1024",
                   [](Context& ctx) { return gemm_case(ctx, 1024, 1024, 1024, false, false, nn::GemmPath::Auto); }});
  table.push_back({"gemm_tiled", "1024x1024x1024",
                   [](Context& ctx) { return gemm_case(ctx, 1024, 1024, 1024, false, false, nn::GemmPath::Tiled); }});
  // The seed CNN's conv2 (b64, pooled: 6,400 column rows) as plain products, each transpose
  // form: how the kernel fares on the shapes a step runs, apart from im2col and friends.
  struct Shape {
    const char* name;
    uint32_t M, N, K;
    bool ta, tb;
  };
  for (const Shape& x : {Shape{"cnn.conv2 fwd 64x6400x288 NT", 64, 6400, 288, false, true},
                         Shape{"cnn.conv2 dcol 6400x288x64 TN", 6400, 288, 64, true, false},
                         Shape{"cnn.conv2 dcolT 288x6400x64 NN", 288, 6400, 64, false, false},
                         // Short sums: what an invocation costs beyond its k-loop (K = 4), and
                         // the same output with a long one.
                         Shape{"short-k 6400x64x4 NN", 6400, 64, 4, false, false},
                         Shape{"short-k 6400x64x32 NN", 6400, 64, 32, false, false},
                         Shape{"long-k 6400x64x512 NN", 6400, 64, 512, false, false}})
    table.push_back({"gemm", x.name, [x](Context& ctx) {
                       return gemm_case(ctx, x.M, x.N, x.K, x.ta, x.tb, nn::GemmPath::Auto);
                     }});
  for (const auto& layer : seed_dense_layers()) {
    const std::string shape = layer.name + " " + std::to_string(layer.shape.IN) + "->" + std::to_string(layer.shape.OUT);
    const nn::DenseShape d = layer.shape;
    table.push_back({"dense_forward", shape, [d](Context& ctx) { return dense_case(ctx, d, false); }});
    table.push_back({"dense_backward", shape, [d](Context& ctx) { return dense_case(ctx, d, true); }});
  }
}

}  // namespace vkt::app
