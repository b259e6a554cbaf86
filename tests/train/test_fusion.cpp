// The fusion pass (nn/model/fusion.hpp): which layers its pattern table groups, which it leaves
// alone, where it makes a boundary channels-last, and that a fused graph computes what the same
// graph computes unfused.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "nn/layers/conv2d.hpp"
#include "nn/model/fusion.hpp"
#include "nn/model/graph.hpp"
#include "nn/model/model_spec.hpp"
#include "runtime/context.hpp"
#include "tests/test_support.hpp"

using namespace vkt;
using namespace vkt::nn;
using json = nlohmann::json;

namespace {

// Every pattern once, each next to a near miss: an average pool, a 3x3 max pool, a ReLU behind
// a dropout, a sigmoid after a dense layer.
const json kMixed = json::parse(R"({"layers": [
  {"type": "conv2d", "filters": 4, "kernel": 3},
  {"type": "relu"},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "filters": 8, "kernel": 3, "padding": 1},
  {"type": "maxpool2d", "kernel": 2},
  {"type": "conv2d", "filters": 8, "kernel": 3, "padding": 1},
  {"type": "avgpool2d", "kernel": 2},
  {"type": "conv2d", "filters": 4, "kernel": 1},
  {"type": "maxpool2d", "kernel": 3, "stride": 1},
  {"type": "conv2d", "filters": 4, "kernel": 1},
  {"type": "relu"},
  {"type": "flatten"},
  {"type": "dense", "units": 12},
  {"type": "dropout", "rate": 0.5},
  {"type": "relu"},
  {"type": "dense", "units": 11},
  {"type": "sigmoid"},
  {"type": "dense", "units": 10}]})");

Model mixed_model() { return build_model(kMixed, {2, 27, 27}, 10, {}, 1); }

std::vector<float> eval_logits(Context& ctx, const Model& model, uint32_t batch) {
  ModelBuffers buffers(ctx, model, false);
  buffers.params.upload(test::random_floats(model.trained_floats(), 7, -0.3f, 0.3f));
  WorkspaceArena scratch(ctx);
  Graph g(ctx, model, buffers, scratch, batch, false);
  // Quiet NaNs where the layers' workspaces lie: a kernel that read scratch it had not written
  // would show in the logits.
  scratch.fill(0x7fc00000u);
  // The trainer fills the input with its gather kernel; here the host writes it (the graph hands
  // out read-only spans, and owns the buffer).
  const_cast<Buffer*>(g.input().buffer)->upload(test::random_floats(model.input().size() * batch, 8));
  Buffer step(ctx, 256, "step block");
  Stream s(ctx);
  g.record_forward(s, DeviceSpan(step));
  s.run();
  return g.output().buffer->download_as<float>(model.output().size() * batch);
}

}  // namespace

TEST_CASE("fusion: the pattern table groups conv+relu+pool, conv+pool, conv+relu, dense+relu, and nothing else") {
  Context ctx(test::test_context_options());
  const Model model = mixed_model();
  const FusionPlan f = plan_fusion(ctx, model, 3, true, true);
  auto name = [&](size_t i) { return f.pattern[i] ? f.pattern[i]->name : std::string("-"); };
  CHECK(name(0) == "conv2d+relu+maxpool2x2");
  CHECK(f.last[0] == 2);
  CHECK((f.absorbed[1] && f.absorbed[2] && f.relu_epilogue[0]));
  CHECK(name(3) == "conv2d+maxpool2x2");
  CHECK((f.last[3] == 4 && f.absorbed[4] && !f.relu_epilogue[3]));
  CHECK(name(5) == "-");  // an average pool is not fused
  CHECK(name(7) == "-");  // nor a 3x3 max pool
  CHECK(name(9) == "conv2d+relu");
  CHECK((f.relu_epilogue[9] && f.relu_folded[10] && !f.absorbed[10]));
  CHECK(name(12) == "-");  // dense, dropout, relu: the ReLU does not follow the dense layer
  CHECK_FALSE(f.relu_folded[14]);
  CHECK(name(15) == "-");  // a sigmoid is not a ReLU
  CHECK(f.first[0]);
  CHECK_FALSE(f.first[3]);
  // Channels-last only between a pooled group and a convolution (boundaries 3 and 5, where the
  // group's route can write it on this device): never into the average pool, the flatten or a
  // dense layer, nor out of an unfused pool.
  for (size_t b = 0; b < f.channels_last.size(); ++b) {
    if (b == 3 || b == 5) {
      const auto& head = dynamic_cast<const Conv2dLayer&>(*model.layers()[b == 3 ? 0 : 3]);
      const size_t h = b == 3 ? 0 : 3;
      CHECK(f.channels_last[b] == head.writes_channels_last_pooled(ctx, model.shapes()[h], 3, true, h == 0));
    } else {
      CHECK_MESSAGE(!f.channels_last[b], "boundary " << b);
    }
  }
}

TEST_CASE("fusion: off, every layer runs alone, and the first layer behind views still reads the data") {
  Context ctx(test::test_context_options());
  const Model model = build_model(json::parse(R"({"layers": [{"type": "flatten"}, {"type": "dense", "units": 5},
      {"type": "relu"}, {"type": "dense", "units": 10}]})"), {1, 4, 4}, 10, {}, 1);
  const FusionPlan off = plan_fusion(ctx, model, 2, true, false);
  for (size_t i = 0; i < model.layers().size(); ++i) {
    CHECK(off.pattern[i] == nullptr);
    CHECK_FALSE(off.absorbed[i]);
    CHECK_FALSE(off.relu_folded[i]);
  }
  CHECK((off.first[0] && off.first[1] && !off.first[2]));
  const FusionPlan on = plan_fusion(ctx, model, 2, true, true);
  CHECK(on.pattern[1]->name == "dense+relu");
  CHECK((on.first[1] && on.relu_folded[2]));
}

TEST_CASE("fusion: a fused graph's logits are the unfused graph's, batch 1 and 3") {
  Context ctx(test::test_context_options());
  const Model model = mixed_model();
  for (uint32_t batch : {1u, 3u}) {
    const std::vector<float> fused = eval_logits(ctx, model, batch);
    KernelPolicy p = ctx.policy();
    p.fusion = false;
    const KernelPolicy saved = ctx.policy();
    ctx.set_policy(p);
    const std::vector<float> alone = eval_logits(ctx, model, batch);
    ctx.set_policy(saved);
    REQUIRE(fused.size() == alone.size());
    // Different routes sum in different orders (fused convolutions may take Winograd): float
    // rounding, not a different function.
    double num = 0, den = 0;
    for (size_t i = 0; i < fused.size(); ++i) {
      num += std::pow(double(fused[i]) - alone[i], 2);
      den += std::pow(double(alone[i]), 2);
    }
    INFO("batch " << batch);
    CHECK(den > 0);
    CHECK(std::sqrt(num / den) < 1e-4);
  }
}
