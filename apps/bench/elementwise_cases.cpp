// Benchmark rows for the memory-bound ops of the seed CNN at batch 64: pooling, activations,
// the loss and the optimizer step. Reported in GB/s (bytes read + written per run).
#include "apps/bench/bench_case.hpp"
#include "apps/bench/bench_check.hpp"
#include "nn/data/device_dataset.hpp"
#include "nn/ops/activation.hpp"
#include "nn/ops/dropout.hpp"
#include "nn/ops/loss.hpp"
#include "nn/ops/pool.hpp"
#include "nn/ops/step_block.hpp"
#include "nn/optim/optimizer.hpp"
#include "nn/optim/step_values.hpp"
#include "tests/reference/activation.hpp"
#include "tests/reference/dropout.hpp"
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

BenchCase maxpool_case(Context& ctx, const nn::Pool2dShape& kPool, bool backward) {
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
    c.record = [s_, kPool](Stream& s) { nn::maxpool2d_forward(s, s_->Y, s_->Extra, s_->X, kPool); };
    c.check = [s_, kPool]() {
      ref::Pool2dShape r{int(kPool.N), int(kPool.C), int(kPool.H), int(kPool.W), 2, 2, 2, 2, 0, 0};
      std::vector<double> y(kPool.out_count());
      std::vector<int32_t> arg(y.size());
      ref::maxpool2d_forward(y, arg, s_->x, r);
      return compare_to_reference(s_->Y.download_as<float>(y.size()), y, 1e-6);
    };
  } else {
    c.bytes = 4.0 * (p.in_count() + 2 * p.out_count());
    c.record_setup = [s_, kPool](Stream& s) { nn::maxpool2d_forward(s, s_->Y, s_->Extra, s_->X, kPool); };
    c.record = [s_, kPool](Stream& s) { nn::maxpool2d_backward(s, nn::maxpool_backward_routes(kPool).front(), s_->DX, s_->DY, s_->Extra, kPool);
    };
    c.check = [s_, kPool]() {
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

BenchCase relu_case(Context& ctx, uint64_t n, bool backward) {
  auto b = std::make_shared<Buffers>();
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

BenchCase softmax_ce_case(Context& ctx, uint32_t N) {
  auto b = std::make_shared<Buffers>();
  const uint32_t K = 10;
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
  c.record = [s_, N](Stream& s) { nn::softmax_cross_entropy(s, s_->DX, s_->Metrics, s_->X, s_->Labels, N, 10); };
  c.check = [s_, N]() {
    std::vector<double> d(N * 10, 0.0);
    ref::softmax_cross_entropy_backward(d, s_->x, s_->labels, int(N), 10);
    return compare_to_reference(s_->DX.download_as<float>(d.size()), d, 1e-5);
  };
  c.keep_alive = b;
  return c;
}

BenchCase adam_case(Context& ctx, uint64_t n) {
  auto b = std::make_shared<Buffers>();
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

BenchCase dropout_case(Context& ctx, uint64_t n) {
  auto b = std::make_shared<Buffers>();
  b->x = random_data(n, 8);
  b->X = device_copy(ctx, b->x, "x");
  b->Y = device_zeros(ctx, n, "y");
  b->Step = Buffer(ctx, sizeof(nn::StepBlock), "step block", MemoryUse::Shared);
  const nn::StepBlock block{};
  b->Step.upload(&block, sizeof block);
  BenchCase c;
  auto* s_ = b.get();
  c.bytes = 8.0 * n;
  c.record = [s_, n](Stream& s) {
    nn::dropout_forward(s, s_->Y, s_->X, n, {0.2, 7}, nn::DeviceSpan(s_->Step, 0, sizeof(nn::StepBlock) / 4));
  };
  c.check = [s_, n]() {
    std::vector<double> y(n);
    ref::dropout_forward(y, s_->x, 0.2, 7, nn::StepBlock{}.step);
    return compare_to_reference(s_->Y.download_as<float>(n), y, 1e-6);
  };
  c.keep_alive = b;
  return c;
}

// One training batch gathered from a uint8 data set on the device (a Fashion-MNIST or CIFAR-10
// sized set of synthetic bytes) through a shuffled index list.
BenchCase gather_case(Context& ctx, uint32_t count, uint32_t c, uint32_t side, uint32_t batch) {
  struct Gather {
    nn::Dataset data;
    std::vector<uint32_t> order;
    std::unique_ptr<nn::DeviceDataset> dev;
    Buffer X, Y, Indices, Step;
  };
  auto g = std::make_shared<Gather>();
  nn::Dataset& d = g->data;
  d.count = count, d.channels = c, d.height = side, d.width = side, d.classes = 10;
  d.images.resize(size_t(count) * d.image_bytes());
  for (size_t i = 0; i < d.images.size(); ++i) d.images[i] = uint8_t((i * 2654435761u) >> 13);
  for (uint32_t i = 0; i < count; ++i) d.labels.push_back(uint8_t(i % 10));
  for (uint32_t i = 0; i < count; ++i) g->order.push_back(uint32_t((uint64_t(i) * 7919) % count));
  g->dev = std::make_unique<nn::DeviceDataset>(ctx, d, "bench");
  const size_t ib = d.image_bytes();
  g->X = device_zeros(ctx, batch * ib, "x");
  g->Y = Buffer(ctx, batch * 4, "y");
  g->Indices = Buffer(ctx, count * 4, "indices");
  g->Indices.upload(g->order);
  g->Step = Buffer(ctx, sizeof(nn::StepBlock), "step block", MemoryUse::Shared);
  nn::StepBlock block{};
  block.batch_start = 1000;
  g->Step.upload(&block, sizeof block);
  BenchCase bc;
  auto* s_ = g.get();
  bc.bytes = double(batch) * ib * 5;  // read bytes, write floats
  bc.record = [s_, batch](Stream& s) {
    s_->dev->record_gather(s, s_->X, s_->Y, &s_->Indices, nn::DeviceSpan(s_->Step, 0, sizeof(nn::StepBlock) / 4),
                           batch);
  };
  bc.check = [s_, batch, ib]() -> std::string {
    const auto x = s_->X.download_as<float>(batch * ib);
    const auto y = s_->Y.download_as<int32_t>(batch);
    for (uint32_t b = 0; b < batch; ++b) {
      const uint32_t image = s_->order[1000 + b];
      if (y[b] != s_->data.labels[image]) return "label of batch image " + std::to_string(b);
      for (size_t j = 0; j < ib; ++j)
        if (x[b * ib + j] != float(s_->data.images[image * ib + j]) * (1.0f / 255.0f))
          return "pixel " + std::to_string(j) + " of batch image " + std::to_string(b);
    }
    return "";
  };
  bc.keep_alive = g;
  return bc;
}

}  // namespace

void add_elementwise_cases(std::vector<BenchEntry>& table) {
  // The seed models' pools and activations: (model, batch, channels, side of the conv output).
  struct Seed {
    std::string model;
    uint32_t batch, side1, side2;  // first and second convolution's output side
  };
  for (const Seed& m : {Seed{"cnn", 64, 26, 11}, Seed{"cnn", 256, 26, 11}, Seed{"cifar-cnn", 64, 30, 13}}) {
    const std::string b = " b" + std::to_string(m.batch);
    const nn::Pool2dShape pools[] = {{m.batch, 32, m.side1, m.side1, 2, 2, 2, 2, 0, 0},
                                     {m.batch, 64, m.side2, m.side2, 2, 2, 2, 2, 0, 0}};
    for (int i = 0; i < 2; ++i) {
      const nn::Pool2dShape p = pools[i];
      const std::string shape = m.model + ".pool" + std::to_string(i + 1) + b + " " + std::to_string(p.C) + "x" +
                                std::to_string(p.H) + "x" + std::to_string(p.W);
      table.push_back({"maxpool2d_forward", shape, [p](Context& ctx) { return maxpool_case(ctx, p, false); }});
      table.push_back({"maxpool2d_backward", shape, [p](Context& ctx) { return maxpool_case(ctx, p, true); }});
      const uint64_t n = p.in_count();
      const std::string relu = m.model + ".relu" + std::to_string(i + 1) + b;
      table.push_back({"relu_forward", relu, [n](Context& ctx) { return relu_case(ctx, n, false); }});
      table.push_back({"relu_backward", relu, [n](Context& ctx) { return relu_case(ctx, n, true); }});
    }
    table.push_back({"softmax_cross_entropy", m.model + b + " x 10",
                     [n = m.batch](Context& ctx) { return softmax_ce_case(ctx, n); }});
  }
  table.push_back({"dropout_forward", "mlp.dropout b128 x 128", [](Context& ctx) { return dropout_case(ctx, 128 * 128); }});
  table.push_back({"softmax_cross_entropy", "mlp b128 x 10", [](Context& ctx) { return softmax_ce_case(ctx, 128); }});
  table.push_back({"gather_batch", "mlp b128 28x28 of 60,000",
                   [](Context& ctx) { return gather_case(ctx, 60000, 1, 28, 128); }});
  table.push_back({"gather_batch", "cifar-cnn b64 3x32x32 of 50,000",
                   [](Context& ctx) { return gather_case(ctx, 50000, 3, 32, 64); }});
  table.push_back({"adam", "cnn 93,322 parameters", [](Context& ctx) { return adam_case(ctx, 93322); }});
  table.push_back({"adam", "cifar-cnn 122,570 parameters", [](Context& ctx) { return adam_case(ctx, 122570); }});
  table.push_back({"adam", "mlp 101,770 parameters", [](Context& ctx) { return adam_case(ctx, 101770); }});
}

}  // namespace vkt::app
