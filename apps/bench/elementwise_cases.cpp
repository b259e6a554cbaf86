// Benchmark rows for the memory-bound ops of the seed CNN at batch 64: pooling, activations,
// the loss and the optimizer step. Reported in GB/s (bytes read + written per run).
#include "apps/bench/bench_case.hpp"
#include "apps/bench/bench_check.hpp"
#include "nn/ops/activation.hpp"
#include "nn/ops/loss.hpp"
#include "nn/ops/pool.hpp"
#include "nn/ops/step_block.hpp"
#include "nn/optim/optimizer.hpp"
#include "nn/optim/step_values.hpp"
#include "tests/reference/activation.hpp"
#include "tests/reference/loss.hpp"
#include "tests/reference/optim.hpp"
#include "tests/reference/pool.hpp"

namespace vkt::app {
namespace {

struct Buffers {
  std::vector<double> x, dy;
  std::vector<int32_t> labels;
  Buffer X, Y, DX, DY, Extra, Step, M, V, Metrics, Labels;
};

// The CNN's first pool: 64 x 32 x 26 x 26 -> 13 x 13.
const nn::Pool2dShape kPool{64, 32, 26, 26, 2, 2, 2, 2, 0, 0};

BenchCase maxpool_case(Context& ctx, bool backward) {
  auto b = std::make_shared<Buffers>();
  const auto& p = kPool;
  b->x = random_data(p.in_count(), 1);
  b->dy = random_data(p.out_count(), 2);
  b->X = device_copy(ctx, b->x, "x");
  b->DY = device_copy(ctx, b->dy, "dy");
  b->Y = device_zeros(ctx, p.out_count(), "y");
  b->DX = device_zeros(ctx, p.in_count(), "dx");
  b->Extra = device_zeros(ctx, p.out_count(), "argmax");
  BenchCase c;
  auto* s_ = b.get();
  if (!backward) {
    c.bytes = 4.0 * (p.in_count() + 2 * p.out_count());
    c.record = [s_](Stream& s) { nn::maxpool2d_forward(s, s_->Y, s_->Extra, s_->X, kPool); };
    c.check = [s_]() {
      ref::Pool2dShape r{int(kPool.N), int(kPool.C), int(kPool.H), int(kPool.W), 2, 2, 2, 2, 0, 0};
      std::vector<double> y(kPool.out_count());
      std::vector<int32_t> arg(y.size());
      ref::maxpool2d_forward(y, arg, s_->x, r);
      return compare_to_reference(s_->Y.download_as<float>(y.size()), y, 1e-6);
    };
  } else {
    c.bytes = 4.0 * (p.in_count() + 2 * p.out_count());
    c.record_setup = [s_](Stream& s) { nn::maxpool2d_forward(s, s_->Y, s_->Extra, s_->X, kPool); };
    c.record = [s_](Stream& s) { nn::maxpool2d_backward(s, s_->DX, s_->DY, s_->Extra, kPool); };
    c.check = [s_]() {
      ref::Pool2dShape r{int(kPool.N), int(kPool.C), int(kPool.H), int(kPool.W), 2, 2, 2, 2, 0, 0};
      std::vector<double> y(kPool.out_count()), dx(kPool.in_count(), 0.0);
      std::vector<int32_t> arg(y.size());
      ref::maxpool2d_forward(y, arg, s_->x, r);
      ref::maxpool2d_backward(dx, s_->dy, arg, r);
      return compare_to_reference(s_->DX.download_as<float>(dx.size()), dx, 1e-6);
    };
  }
  c.keep_alive = b;
  return c;
}

BenchCase relu_case(Context& ctx, bool backward) {
  auto b = std::make_shared<Buffers>();
  const uint64_t n = kPool.in_count();  // the first convolution's output
  b->x = random_data(n, 3);
  b->dy = random_data(n, 4);
  b->X = device_copy(ctx, b->x, "x");
  b->DY = device_copy(ctx, b->dy, "dy");
  b->Y = device_zeros(ctx, n, "y");
  BenchCase c;
  auto* s_ = b.get();
  c.bytes = (backward ? 12.0 : 8.0) * n;
  if (!backward) {
    c.record = [s_, n](Stream& s) { nn::activation_forward(s, nn::Activation::ReLU, s_->Y, s_->X, n); };
    c.check = [s_, n]() {
      std::vector<double> y(n);
      ref::relu_forward(y, s_->x);
      return compare_to_reference(s_->Y.download_as<float>(n), y, 1e-6);
    };
  } else {
    c.record = [s_, n](Stream& s) { nn::activation_backward(s, nn::Activation::ReLU, s_->Y, s_->DY, s_->X, n); };
    c.check = [s_, n]() {
      std::vector<double> dx(n, 0.0);
      ref::relu_backward(dx, s_->dy, s_->x);
      return compare_to_reference(s_->Y.download_as<float>(n), dx, 1e-6);
    };
  }
  c.keep_alive = b;
  return c;
}

BenchCase softmax_ce_case(Context& ctx) {
  auto b = std::make_shared<Buffers>();
  const uint32_t N = 64, K = 10;
  b->x = random_data(N * K, 5);
  for (uint32_t i = 0; i < N; ++i) b->labels.push_back(int32_t(i % K));
  b->X = device_copy(ctx, b->x, "logits");
  b->DX = device_zeros(ctx, N * K, "dlogits");
  b->Labels = Buffer(ctx, N * 4, "labels");
  b->Labels.upload(b->labels);
  b->Metrics = Buffer(ctx, sizeof(nn::LossMetrics), "metrics", MemoryUse::Shared);
  nn::reset_loss_metrics(b->Metrics);
  BenchCase c;
  auto* s_ = b.get();
  c.bytes = 4.0 * (2 * N * K + N);
  c.record = [s_](Stream& s) { nn::softmax_cross_entropy(s, s_->DX, s_->Metrics, s_->X, s_->Labels, 64, 10); };
  c.check = [s_]() {
    std::vector<double> d(640, 0.0);
    ref::softmax_cross_entropy_backward(d, s_->x, s_->labels, 64, 10);
    return compare_to_reference(s_->DX.download_as<float>(640), d, 1e-5);
  };
  c.keep_alive = b;
  return c;
}

BenchCase adam_case(Context& ctx) {
  auto b = std::make_shared<Buffers>();
  const uint64_t n = 93322;  // the CNN's parameters
  b->x = random_data(n, 6);
  b->dy = random_data(n, 7);
  b->X = device_copy(ctx, b->x, "p");
  b->DY = device_copy(ctx, b->dy, "g");
  b->M = device_zeros(ctx, n, "m");
  b->V = device_zeros(ctx, n, "v");
  b->Step = Buffer(ctx, sizeof(nn::StepBlock), "step block", MemoryUse::Shared);
  nn::OptimizerConfig cfg = nn::parse_optimizer("adam");
  cfg.lr = 1e-3;
  const nn::StepBlock block = nn::step_values(cfg, nn::Schedule{}, 1);
  b->Step.upload(&block, sizeof block);
  BenchCase c;
  auto* s_ = b.get();
  c.bytes = 4.0 * n * 7;  // read p, g, m, v; write p, m, v
  c.record = [s_, cfg, n](Stream& s) {
    nn::OptimizerBuffers ob;
    ob.p = nn::DeviceSpan(s_->X, 0, n);
    ob.g = nn::DeviceSpan(s_->DY, 0, n);
    ob.m = nn::DeviceSpan(s_->M, 0, n);
    ob.v = nn::DeviceSpan(s_->V, 0, n);
    ob.step_block = nn::DeviceSpan(s_->Step, 0, sizeof(nn::StepBlock) / 4);
    nn::optimizer_step(s, cfg, ob);
  };
  c.check = [s_, n]() {  // after the first run: one Adam step from zero moments
    std::vector<double> p = s_->x, m(n, 0.0), v(n, 0.0);
    ref::adam_step(p, s_->dy, m, v, 1, 1e-3);
    return compare_to_reference(s_->X.download_as<float>(n), p, 1e-5);
  };
  c.keep_alive = b;
  return c;
}

}  // namespace

void add_elementwise_cases(std::vector<BenchEntry>& table) {
  const std::string pool = "cnn.pool1 b64 32x26x26";
  table.push_back({"maxpool2d_forward", pool, [](Context& ctx) { return maxpool_case(ctx, false); }});
  table.push_back({"maxpool2d_backward", pool, [](Context& ctx) { return maxpool_case(ctx, true); }});
  table.push_back({"relu_forward", "cnn.relu1 b64 32x26x26", [](Context& ctx) { return relu_case(ctx, false); }});
  table.push_back({"relu_backward", "cnn.relu1 b64 32x26x26", [](Context& ctx) { return relu_case(ctx, true); }});
  table.push_back({"softmax_cross_entropy", "b64 x 10", [](Context& ctx) { return softmax_ce_case(ctx); }});
  table.push_back({"adam", "cnn 93,322 parameters", [](Context& ctx) { return adam_case(ctx); }});
}

}  // namespace vkt::app
