// --data-on host: the images stay in host memory and each submission's batches are written
// into one of two staging slots while the device runs the other (nn/train/trainer.hpp). The
// same kernels read the same images in the same order, so every result must equal the
// device-resident run's bit for bit: per-step losses, epoch statistics, evaluation with
// tails, final weights, and a state written by one placement resumed by the other. The
// device memory then holds the slots instead of the data set, and the plan still matches.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nn/checkpoint/training_state.hpp"
#include "nn/train/memory_plan.hpp"
#include "nn/train/trainer.hpp"
#include "runtime/allocator.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "tests/cli_runner.hpp"
#include "tests/nn_data/patterned_set.hpp"
#include "tests/temp_dir.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"
#include "util/format.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

struct Case {
  const char* name;
  std::string model;
  uint32_t batch, steps_per_submit, train, val, test, eval_batch;
  OptimizerKind optimizer;
  double momentum = 0;
  const char* augment = "none";
};

TrainConfig config_of(const Case& c) {
  TrainConfig config;
  config.model = c.model;
  if (c.model == "mlp") config.vars = {{"hidden", 24}, {"dropout", 0.25}};
  config.batch = c.batch;
  config.steps_per_submit = c.steps_per_submit;
  config.eval_batch = c.eval_batch;
  config.epochs = 2;
  config.optimizer.kind = c.optimizer;
  config.optimizer.lr = 3e-3;
  config.optimizer.momentum = c.momentum;
  config.augment = parse_augment(c.augment);
  config.seed = 5;
  return config;
}

struct Run {
  std::vector<double> losses;  // the running mean after each submission
  std::vector<EpochStats> epochs;
  EvalStats test;
  std::vector<NamedTensor> weights;
};

// Trains to the end. With `stop_at`, returns after the checkpoint at that optimizer step,
// its state in `saved`, as a killed run would leave it.
struct Stopped {};
Run train(Trainer& t, uint64_t checkpoint_every = 0, uint64_t stop_at = 0, std::optional<TrainingState>* saved = nullptr) {
  Run r;
  while (t.epoch() < t.config().epochs)
    r.epochs.push_back(t.train_epoch([&](const Progress& p) { r.losses.push_back(p.loss); }, checkpoint_every, [&] {
      if (t.step() == stop_at) {
        *saved = t.state();
        throw Stopped{};
      }
    }));
  r.test = t.evaluate_test();
  r.weights = t.weights();
  return r;
}

void check_same(const Run& a, const Run& b) {
  CHECK(a.losses == b.losses);
  REQUIRE(a.epochs.size() == b.epochs.size());
  for (size_t e = 0; e < a.epochs.size(); ++e) {
    CAPTURE(e);
    CHECK(a.epochs[e].loss == b.epochs[e].loss);
    CHECK(a.epochs[e].train_acc == b.epochs[e].train_acc);
    CHECK(a.epochs[e].val.loss == b.epochs[e].val.loss);
    CHECK(a.epochs[e].val.accuracy == b.epochs[e].val.accuracy);
    CHECK(a.epochs[e].val.count == b.epochs[e].val.count);
  }
  CHECK(a.test.loss == b.test.loss);
  CHECK(a.test.accuracy == b.test.accuracy);
  CHECK(a.test.count == b.test.count);
  REQUIRE(a.weights.size() == b.weights.size());
  for (size_t i = 0; i < a.weights.size(); ++i) CHECK(a.weights[i].data == b.weights[i].data);
}

const Case kCases[] = {
    // 300 / 32 = 9 steps: submissions of 4, 4 and 1; validation 213 = 2 x 100 + 13 (three
    // batches, so both slots and the tail); test 107 = 100 + 7.
    {"mlp adam, dropout, submission and evaluation tails", "mlp", 32, 4, 300, 213, 107, 100, OptimizerKind::Adam},
    {"cnn momentum, batch 7, augmented", "cnn", 7, 8, 60, 20, 9, 6, OptimizerKind::SGD, 0.9, "crop:2,flip,rotate:10"},
    {"mlp sgd, batch 1, one step per submission, no validation", "mlp", 1, 1, 12, 0, 5, 500, OptimizerKind::SGD},
};

DataSplits splits_of(const Case& c) {
  return {test::patterned_set(c.train, 1, 28, 28), test::patterned_set(c.val, 1, 28, 28),
          test::patterned_set(c.test, 1, 28, 28)};
}

}  // namespace

TEST_CASE("data on host: training and evaluation give the device-resident run's results bit for bit") {
  Context ctx(test::test_context_options());
  for (const Case& c : kCases) {
    CAPTURE(c.name);
    const auto data = std::make_shared<const DataSplits>(splits_of(c));
    const auto on_device = std::make_shared<const DeviceData>(ctx, data, DataPlacement::Device);
    const auto on_host = std::make_shared<const DeviceData>(ctx, data, DataPlacement::Host);
    CHECK(on_host->train == nullptr);  // nothing of the data set was uploaded
    Trainer resident(ctx, config_of(c), on_device);
    const Run a = train(resident);
    Trainer streamed(ctx, config_of(c), on_host);
    const Run b = train(streamed);
    REQUIRE(a.losses.size() > 1);
    CHECK(a.losses[0] != a.losses[1]);  // the steps differ, so equal curves say something
    CHECK(a.test.count == c.test);
    check_same(a, b);
  }
}

TEST_CASE("data on host: a state written mid-epoch by either placement resumes on the other") {
  Context ctx(test::test_context_options());
  const Case& c = kCases[0];
  TrainConfig config = config_of(c);
  config.steps_per_submit = 1;  // a loss per step, so the resumed curve is compared step by step
  const auto data = std::make_shared<const DataSplits>(splits_of(c));
  const auto on_device = std::make_shared<const DeviceData>(ctx, data, DataPlacement::Device);
  const auto on_host = std::make_shared<const DeviceData>(ctx, data, DataPlacement::Host);
  Trainer whole(ctx, config, on_device);
  const Run full = train(whole);
  for (const bool host_first : {true, false}) {
    CAPTURE(host_first);
    std::optional<TrainingState> saved;
    Trainer first(ctx, config, host_first ? on_host : on_device);
    CHECK_THROWS_AS(train(first, 1, 13, &saved), Stopped);  // epoch 2, step 4 of 9
    REQUIRE(saved.has_value());
    Trainer resumed(ctx, config, host_first ? on_device : on_host);
    resumed.restore(*saved, "state");
    const Run rest = train(resumed);
    REQUIRE(rest.losses.size() == full.losses.size() - 13);
    CHECK(std::vector<double>(full.losses.begin() + 13, full.losses.end()) == rest.losses);
    CHECK(rest.test.loss == full.test.loss);
    for (size_t i = 0; i < rest.weights.size(); ++i) CHECK(rest.weights[i].data == full.weights[i].data);
  }
}

TEST_CASE("data on host: the device holds two staging slots instead of the data set, as planned") {
  Context ctx(test::test_context_options());
  for (const Case& c : kCases) {
    CAPTURE(c.name);
    const TrainConfig config = config_of(c);
    const DataShape shape{1, 28, 28, 10, c.train, c.val, c.test};
    const MemoryPlan plan = plan_device_memory(ctx, config, shape, DataPlacement::Host);
    const MemoryPlan resident = plan_device_memory(ctx, config, shape, DataPlacement::Device);
    CHECK(plan.steady[MemoryKind::Dataset] == 0);
    CHECK(plan.steady[MemoryKind::Staging] > 0);
    CHECK(resident.steady[MemoryKind::Staging] == 0);
    for (MemoryKind k : {MemoryKind::Parameters, MemoryKind::Gradients, MemoryKind::OptimizerState})
      CHECK(plan.steady[k] == resident.steady[k]);
    // The model's activations and workspaces too; the second slot adds only its evaluation
    // plans' labels and step blocks.
    for (MemoryKind k : {MemoryKind::Activations, MemoryKind::Workspace}) {
      CHECK(plan.steady[k] >= resident.steady[k]);
      CHECK(plan.steady[k] - resident.steady[k] <= 2 * (Buffer::memory_bytes(ctx, c.eval_batch * 4) + 256));
    }
    // The slots depend on the batches, not on how many training images there are.
    DataShape bigger = shape;
    bigger.train *= 50;
    CHECK(plan_device_memory(ctx, config, bigger, DataPlacement::Host).steady.bytes == plan.steady.bytes);
    CHECK(plan_device_memory(ctx, config, bigger, DataPlacement::Device).steady[MemoryKind::Dataset] >
          resident.steady[MemoryKind::Dataset]);

    const auto data = std::make_shared<const DataSplits>(splits_of(c));
    Trainer t(ctx, config, std::make_shared<const DeviceData>(ctx, data, DataPlacement::Host));
    const MemoryAccountant a = ctx.allocator().accountant();
    for (size_t k = 0; k < kMemoryKinds; ++k) {
      CAPTURE(memory_kind_name(MemoryKind(k)));
      CHECK(a.in_use().bytes[k] == plan.steady.bytes[k]);
    }
    t.train_epoch();
    t.evaluate_test();
    CHECK(ctx.allocator().accountant().peak() == plan.peak);  // streaming allocates nothing per batch
  }
}

TEST_CASE("data on host: train --data-on host runs where the data set does not fit the memory limit") {
  using test::run_vktrain;
  const std::vector<std::string> mlp = {"train",    "--model",    "mlp", "--train-limit", "3000", "--epochs", "1",
                                        "--batch",  "64",         "--autotune", "off",     "--json"};
  auto args = [&](std::vector<std::string> more) {
    std::vector<std::string> a = mlp;
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  const test::CommandResult device = run_vktrain(args({}));
  REQUIRE_MESSAGE(device.exit_code == 0, device.err);
  const test::CommandResult host = run_vktrain(args({"--data-on", "host"}));
  REQUIRE_MESSAGE(host.exit_code == 0, host.err);
  const auto d = test::last_json_line(device.out), h = test::last_json_line(host.out);
  for (const char* key : {"val_loss", "val_acc", "test_loss", "test_acc"}) CHECK(d[key] == h[key]);
  const uint64_t host_need = h["device_memory_bytes"].get<uint64_t>();
  CHECK(host_need == h["device_memory_planned_bytes"].get<uint64_t>());
  CHECK_FALSE(h["device_memory"].contains("dataset"));
  CHECK(host_need + 10'000'000 < d["device_memory_bytes"].get<uint64_t>());  // the 13 MB of images stay home

  // A limit between the two: the resident run is refused with the way out named, the
  // streamed one trains.
  const std::string limit = std::to_string(host_need + 1'000'000);
  const test::CommandResult refused = run_vktrain(args({"--max-device-memory", limit}));
  CHECK(refused.exit_code == 2);
  CHECK_MESSAGE(refused.err.find("use --data-on host") != std::string::npos, refused.err);
  const test::CommandResult fits = run_vktrain(args({"--max-device-memory", limit, "--data-on", "host"}));
  CHECK_MESSAGE(fits.exit_code == 0, fits.err);
  CHECK(test::last_json_line(fits.out)["test_loss"] == d["test_loss"]);

  const test::CommandResult bad = run_vktrain(args({"--data-on", "disk"}));
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--data-on") != std::string::npos);
}

TEST_CASE("data on host: eval and a tuning study stream their data and find the device-resident values") {
  using test::run_vktrain;
  test::TempDir dir;
  const std::string weights = (dir / "w.safetensors").string();
  const test::CommandResult trained = run_vktrain(
      {"train", "--model", "mlp", "--train-limit", "1000", "--epochs", "1", "--autotune", "off", "--save", weights});
  REQUIRE_MESSAGE(trained.exit_code == 0, trained.err);
  std::vector<nlohmann::json> evals;
  for (const char* where : {"device", "host"}) {
    const test::CommandResult r =
        run_vktrain({"eval", "--model", "mlp", "--weights", weights, "--autotune", "off", "--json", "--data-on", where});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    evals.push_back(test::last_json_line(r.out));
  }
  CHECK(evals[0] == evals[1]);

  const std::string space = (dir / "space.json").string();
  std::ofstream(space) << R"({"lr": {"type": "float", "low": 1e-3, "high": 1e-2, "log": true}})";
  std::vector<nlohmann::json> values;
  for (const char* where : {"device", "host"}) {
    const std::string study = (dir / (std::string(where) + ".vkts")).string();
    const test::CommandResult r =
        run_vktrain({"tune", "--space", space, "--study", study, "--model", "mlp", "--epochs", "1", "--train-limit",
                     "600", "--trials", "2", "--seed", "3", "--autotune", "off", "--json", "--data-on", where});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    // By trial id, each trial's whole curve (training loss and validation accuracy per epoch).
    const nlohmann::json summary = test::last_json_line(r.out);
    nlohmann::json v = nlohmann::json::object();
    for (const auto& t : summary["trials"]) v[std::to_string(t["id"].get<int>())] = t["curve"];
    REQUIRE(v.size() == 2);
    values.push_back(v);
  }
  CHECK(values[0] == values[1]);
}
