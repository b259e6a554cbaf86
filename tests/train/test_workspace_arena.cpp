// The layers' shared scratch memory (nn/ops/workspace_arena.hpp): a group's regions are
// disjoint, groups lie over the same memory, chunks respect maxStorageBufferRange, and an
// evaluation graph whose layers take turns in one arena computes what a training graph, whose
// layers each keep their own, computes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "nn/model/graph.hpp"
#include "nn/model/model_spec.hpp"
#include "nn/ops/workspace_arena.hpp"
#include "nn/train/trainer.hpp"
#include "runtime/context.hpp"
#include "tests/nn_data/patterned_set.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

bool overlap(const DeviceSpan& a, const DeviceSpan& b) {
  return a.buffer == b.buffer && a.offset < b.offset + b.bytes() && b.offset < a.offset + a.bytes();
}

uint64_t alignment(const Context& ctx) {
  const auto& i = ctx.info();
  return std::max<uint64_t>({16, i.min_storage_buffer_offset_alignment, i.min_texel_buffer_offset_alignment});
}

constexpr uint32_t kQuietNaN = 0x7fc00000u;

// The logits of `batch` images through a graph whose arena is filled with NaNs first, so a
// kernel that read workspace it had not written this pass would show.
std::vector<float> poisoned_logits(Context& ctx, const Model& model, WorkspaceArena& scratch, Graph& g,
                                   const std::vector<float>& images) {
  scratch.fill(kQuietNaN);
  const_cast<Buffer*>(g.input().buffer)->upload(images);
  Buffer step(ctx, 256, "step block");
  Stream s(ctx);
  g.record_forward(s, DeviceSpan(step));
  s.run();
  return g.output().buffer->download_as<float>(model.output().size() * g.batch());
}

}  // namespace

TEST_CASE("workspace arena: a group's regions are disjoint and aligned, groups overlay, it holds its largest group") {
  Context ctx(test::test_context_options());
  WorkspaceArena a(ctx);
  a.new_group();
  const auto r1 = a.reserve(100, "first");
  const auto r2 = a.reserve(7, "second");  // not a whole vec4
  const auto r3 = a.reserve(33, "third");
  const auto none = a.reserve(0, "nothing");
  a.new_group();
  const auto big = a.reserve(500, "big");
  a.new_group();
  const auto small = a.reserve(3, "small");
  CHECK(a.groups() == 3);
  const uint64_t al = alignment(ctx);
  const auto round_up = [&](uint64_t b) { return (b + al - 1) / al * al; };
  // The first group, laid end to end at aligned offsets, is smaller than the second's one region.
  const uint64_t first_group = round_up(round_up(400) + 32) + 144;
  CHECK(a.reserved_bytes() == std::max<uint64_t>(first_group, 2000));
  CHECK_FALSE(a.allocated());

  const DeviceSpan s1 = a.span(r1), s2 = a.span(r2), s3 = a.span(r3);
  CHECK(a.allocated());
  CHECK((s1.count == 100 && s2.count == 7 && s3.count == 33));
  CHECK(a.span(none).empty());
  for (const DeviceSpan& s : {s1, s2, s3}) CHECK(s.offset % al == 0);
  CHECK_FALSE(overlap(s1, s2));
  CHECK_FALSE(overlap(s1, s3));
  CHECK_FALSE(overlap(s2, s3));
  // Later groups start over at the beginning of the same memory.
  CHECK(a.span(big).offset == 0);
  CHECK(a.span(small).offset == 0);
  CHECK(overlap(a.span(big), s3));
  CHECK(a.span(big).buffer->size() == a.reserved_bytes());

  // The arena's size is fixed once allocated: a graph built now would not fit.
  CHECK_THROWS_WITH_AS(a.reserve(1, "late"), doctest::Contains("reserved after the arena was allocated"), Error);
}

TEST_CASE("workspace arena: regions stay within maxStorageBufferRange, in chunks of their own where they must") {
  Context ctx(test::test_context_options());
  KernelPolicy p = ctx.policy();
  const KernelPolicy saved = p;
  p.max_storage_buffer_range = 4096;
  ctx.set_policy(p);
  WorkspaceArena a(ctx);
  a.new_group();
  const auto r1 = a.reserve(600, "a");  // 2400 bytes
  const auto r2 = a.reserve(600, "b");  // does not fit beside it: the next chunk
  const auto r3 = a.reserve(100, "c");  // fits beside b
  a.new_group();
  const auto r4 = a.reserve(1024, "d");  // the whole limit
  CHECK_THROWS_WITH_AS(a.reserve(1025, "conv2d im2col"), doctest::Contains("'conv2d im2col'"), Error);
  const DeviceSpan s1 = a.span(r1), s2 = a.span(r2), s3 = a.span(r3), s4 = a.span(r4);
  CHECK(s1.buffer != s2.buffer);
  CHECK(s2.buffer == s3.buffer);
  CHECK_FALSE(overlap(s2, s3));
  CHECK(s4.buffer == s1.buffer);
  for (const DeviceSpan& s : {s1, s2, s3, s4}) CHECK(s.buffer->size() <= 4096);
  CHECK(a.reserved_bytes() == 4096 + s3.offset + 400);
  ctx.set_policy(saved);
}

TEST_CASE("workspace arena: the seed CNN's evaluation graph shares one layer's worth and computes the training graph's logits") {
  Context ctx(test::test_context_options());
  const Model model = build_model(load_model_spec("cnn"), {1, 28, 28}, 10, {}, 3);
  ModelBuffers buffers(ctx, model, true);
  buffers.params.upload(test::random_floats(model.trained_floats(), 11, -0.2f, 0.2f));
  for (uint32_t batch : {1u, 7u}) {
    INFO("batch " << batch);
    const std::vector<float> images = test::random_floats(model.input().size() * batch, 12, 0.0f, 1.0f);
    WorkspaceArena eval_scratch(ctx), train_scratch(ctx);
    Graph eval(ctx, model, buffers, eval_scratch, batch, false);
    Graph train(ctx, model, buffers, train_scratch, batch, true);
    // One group per layer in evaluation, one for the whole step in training: the evaluation
    // arena holds the largest layer's workspace, the training arena every layer's.
    CHECK(eval_scratch.groups() == model.layers().size());
    CHECK(train_scratch.groups() == 1);
    CHECK(eval_scratch.reserved_bytes() > 0);
    CHECK(eval_scratch.reserved_bytes() < train_scratch.reserved_bytes());

    // Both arenas full of NaNs: the evaluation layers overwrite each other's workspaces in turn,
    // the training layers never do; a missing barrier or a read of another layer's leftovers
    // would part them (the routes may differ between the two plans: float rounding only).
    const std::vector<float> shared = poisoned_logits(ctx, model, eval_scratch, eval, images);
    const std::vector<float> own = poisoned_logits(ctx, model, train_scratch, train, images);
    REQUIRE(shared.size() == own.size());
    double num = 0, den = 0;
    for (size_t i = 0; i < own.size(); ++i) {
      REQUIRE(std::isfinite(shared[i]));
      num += std::pow(double(shared[i]) - own[i], 2);
      den += std::pow(double(own[i]), 2);
    }
    CHECK(den > 0);
    CHECK(std::sqrt(num / den) < 1e-4);
  }
}

TEST_CASE("workspace arena: graphs sharing one arena take the largest graph's memory, not the sum") {
  Context ctx(test::test_context_options());
  const Model model = build_model(load_model_spec("cnn"), {1, 28, 28}, 10, {}, 3);
  ModelBuffers buffers(ctx, model, true);
  WorkspaceArena train_only(ctx), eval_only(ctx), both(ctx);
  { Graph g(ctx, model, buffers, train_only, 8, true); }
  { Graph g(ctx, model, buffers, eval_only, 50, false); }
  Graph train(ctx, model, buffers, both, 8, true);
  Graph eval(ctx, model, buffers, both, 50, false);
  CHECK(train_only.reserved_bytes() != eval_only.reserved_bytes());
  CHECK(both.reserved_bytes() == std::max(train_only.reserved_bytes(), eval_only.reserved_bytes()));
}

TEST_CASE("workspace arena: the trainer's evaluations, in the training graph's memory, leave training unchanged") {
  // Evaluation runs over the training step's workspaces (one arena for all the trainer's
  // graphs); each step's forward writes what its backward reads, so evaluating between epochs
  // must not move a single bit of training. Test set 9 in batches of 6: two evaluation graphs.
  Context ctx(test::test_context_options());
  TrainConfig config;
  config.model = "cnn";
  config.batch = 7;
  config.steps_per_submit = 3;
  config.eval_batch = 6;
  config.epochs = 2;
  config.optimizer.kind = OptimizerKind::Adam;
  config.optimizer.lr = 3e-3;
  config.seed = 9;
  const auto data = std::make_shared<const DataSplits>(
      DataSplits{test::patterned_set(42, 1, 28, 28), {}, test::patterned_set(9, 1, 28, 28)});
  const auto on_device = std::make_shared<const DeviceData>(ctx, data, DataPlacement::Device);
  std::vector<std::vector<double>> losses(2);
  std::vector<std::vector<NamedTensor>> weights;
  EvalStats first_test;
  for (const bool evaluate_between : {false, true}) {
    Trainer t(ctx, config, on_device);
    std::vector<double>& l = losses[evaluate_between];
    while (t.epoch() < config.epochs) {
      t.train_epoch([&](const Progress& p) { l.push_back(p.loss); });
      if (evaluate_between && t.epoch() == 1) first_test = t.evaluate_test();
    }
    weights.push_back(t.weights());
  }
  CHECK(first_test.count == 9);
  CHECK(std::isfinite(first_test.loss));
  REQUIRE(losses[0].size() > 2);
  CHECK(losses[0] == losses[1]);
  REQUIRE(weights[0].size() == weights[1].size());
  for (size_t i = 0; i < weights[0].size(); ++i) CHECK(weights[0][i].data == weights[1][i].data);
}
