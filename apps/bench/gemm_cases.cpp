// Benchmark rows for GEMM (square 1024³, both kernels) and the seed models' dense layers.
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

BenchCase square_gemm(Context& ctx, uint32_t n, nn::GemmPath path) {
  auto st = std::make_shared<GemmState>();
  st->a = random_data(size_t(n) * n, 1);
  st->b = random_data(size_t(n) * n, 2);
  st->A = device_copy(ctx, st->a, "A");
  st->B = device_copy(ctx, st->b, "B");
  st->C = device_zeros(ctx, size_t(n) * n, "C");
  nn::Gemm g;
  g.M = g.N = g.K = n;
  g.path = path;
  BenchCase c;
  c.flops = 2.0 * n * n * n;
  c.variant = nn::gemm_path_name(nn::gemm_path(ctx, g, st->A, st->B, {}, st->C));
  c.record = [st, g](Stream& s) { nn::gemm(s, g, st->A, st->B, {}, st->C); };
  c.check = [st, n]() {
    // 400 sampled elements against double dot products: a full 1024³ reference takes seconds.
    const auto got = st->C.download_all<float>();
    std::mt19937 rng(7);
    std::vector<float> g;
    std::vector<double> want;
    for (int t = 0; t < 400; ++t) {
      const uint32_t i = rng() % n, j = rng() % n;
      double acc = 0;
      for (uint32_t k = 0; k < n; ++k) acc += st->a[size_t(i) * n + k] * st->b[size_t(k) * n + j];
      want.push_back(acc);
      g.push_back(got[size_t(i) * n + j]);
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
  table.push_back({"gemm", "1024x1024x1024", [](Context& ctx) { return square_gemm(ctx, 1024, nn::GemmPath::Auto); }});
  table.push_back({"gemm_tiled", "1024x1024x1024",
                   [](Context& ctx) { return square_gemm(ctx, 1024, nn::GemmPath::Tiled); }});
  for (const auto& layer : seed_dense_layers()) {
    const std::string shape = layer.name + " " + std::to_string(layer.shape.IN) + "->" + std::to_string(layer.shape.OUT);
    const nn::DenseShape d = layer.shape;
    table.push_back({"dense_forward", shape, [d](Context& ctx) { return dense_case(ctx, d, false); }});
    table.push_back({"dense_backward", shape, [d](Context& ctx) { return dense_case(ctx, d, true); }});
  }
}

}  // namespace vkt::app
