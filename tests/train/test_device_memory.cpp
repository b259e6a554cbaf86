// Device memory: the accountant every buffer's memory passes through, the plan a run is
// checked against before it starts (nn/train/memory_plan.hpp), and the CLI around them:
// `train --print-model`, `--max-device-memory` and `--json`'s device_memory_bytes.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nn/train/memory_plan.hpp"
#include "nn/train/trainer.hpp"
#include "runtime/allocator.hpp"
#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "tests/cli_runner.hpp"
#include "tests/nn_data/patterned_set.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"
#include "util/format.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

uint64_t kind(const MemoryTally& t, MemoryKind k) { return t[k]; }

struct Case {
  const char* name;
  std::string model;
  uint32_t batch, train, val, test;
  OptimizerKind optimizer;
  double momentum = 0, clip = 0, l2 = 0;
  const char* augment = "none";
};

}  // namespace

TEST_CASE("device memory: the plan is what the trainer takes, kind by kind, with nothing unattributed") {
  const Case cases[] = {
      {"mlp sgd, no evaluation tail", "mlp", 32, 96, 64, 64, OptimizerKind::SGD},
      {"mlp adam + clip + l2, tails of 13 and 7", "mlp", 16, 50, 513, 507, OptimizerKind::Adam, 0, 1.0, 1e-4},
      {"cnn momentum, batch 7, augmented", "cnn", 7, 40, 20, 9, OptimizerKind::SGD, 0.9, 0, 0, "crop:2,flip"},
      {"cnn rmsprop, batch 1, no validation", "cnn", 1, 5, 0, 3, OptimizerKind::RMSprop},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Context ctx(test::test_context_options());
    TrainConfig config;
    config.model = c.model;
    config.batch = c.batch;
    config.epochs = 1;
    config.optimizer.kind = c.optimizer;
    config.optimizer.lr = 1e-3;
    config.optimizer.momentum = c.momentum;
    config.optimizer.clip_norm = c.clip;
    config.optimizer.l2 = c.l2;
    config.augment = parse_augment(c.augment);
    const DataSplits data{test::patterned_set(c.train, 1, 28, 28), test::patterned_set(c.val, 1, 28, 28),
                          test::patterned_set(c.test, 1, 28, 28)};
    const MemoryPlan plan = plan_device_memory(ctx, config, {1, 28, 28, 10, c.train, c.val, c.test});
    CHECK(ctx.allocator().bytes_in_use() == 0);  // the stand-in gave everything back
    CHECK(kind(plan.steady, MemoryKind::Other) == 0);
    CHECK(plan.peak == plan.steady.total());  // --autotune off (the tests' default): nothing measured

    Trainer t(ctx, config, data);
    const MemoryAccountant a = ctx.allocator().accountant();
    for (size_t k = 0; k < kMemoryKinds; ++k) {
      CAPTURE(memory_kind_name(MemoryKind(k)));
      CHECK(a.in_use().bytes[k] == plan.steady.bytes[k]);
    }
    CHECK(a.peak() == plan.peak);
    // Training and evaluating take nothing more: every buffer was made up front.
    t.train_epoch();
    t.evaluate_test();
    CHECK(ctx.allocator().accountant().peak() == plan.peak);
    CHECK(kind(plan.steady, MemoryKind::Parameters) > 0);
    CHECK(kind(plan.steady, MemoryKind::Gradients) > 0);
    CHECK(kind(plan.steady, MemoryKind::Activations) > 0);
    CHECK((kind(plan.steady, MemoryKind::OptimizerState) > 0) == (c.optimizer != OptimizerKind::SGD || c.momentum > 0));
  }
}

TEST_CASE("device memory: the accountant counts each kind, keeps peaks, and the driver's blocks grow from 1 MiB") {
  Context ctx(test::test_context_options());
  Allocator& alloc = ctx.allocator();
  {
    Buffer p(ctx, 1000, "p", MemoryKind::Parameters);
    Buffer w(ctx, 3000, "w", MemoryKind::Workspace);
    MemoryAccountant a = alloc.accountant();
    CHECK(a.in_use()[MemoryKind::Parameters] == Buffer::memory_bytes(ctx, 1000));
    CHECK(a.in_use()[MemoryKind::Workspace] == Buffer::memory_bytes(ctx, 3000));
    CHECK(a.in_use()[MemoryKind::Other] == 0);
    CHECK(a.driver_bytes() == Allocator::kFirstBlockSize);  // both in one first block
    w = Buffer();
    a = alloc.accountant();
    CHECK(a.in_use()[MemoryKind::Workspace] == 0);
    CHECK(a.peak_by_kind()[MemoryKind::Workspace] == Buffer::memory_bytes(ctx, 3000));
    CHECK(a.peak() == Buffer::memory_bytes(ctx, 1000) + Buffer::memory_bytes(ctx, 3000));
    // The next block of the type is twice the last, so many small buffers take few blocks.
    std::vector<Buffer> more;
    for (int i = 0; i < 12; ++i) more.emplace_back(ctx, 256 << 10, "quarter MiB", MemoryKind::Activations);
    CHECK(alloc.block_count() == 3);  // 1 + 2 + 4 MiB hold 3 + 8 + (1 of 16) quarter-MiB buffers
    CHECK(alloc.accountant().driver_bytes() == 7 * Allocator::kFirstBlockSize);
  }
  CHECK(alloc.bytes_in_use() == 0);
  CHECK(alloc.accountant().driver_bytes() == 0);
}

TEST_CASE("device memory: past the allocator's limit a buffer is refused before the driver is asked") {
  Context ctx(test::test_context_options());
  ctx.allocator().set_limit(40ull << 20);
  Buffer a(ctx, 30ull << 20, "fits");
  CHECK_THROWS_WITH_AS(Buffer(ctx, 20ull << 20, "too much"),
                       doctest::Contains("buffer 'too much' needs 20 MiB more device memory, over the limit of 40 MiB"), Error);
  CHECK(ctx.allocator().bytes_in_use() == Buffer::memory_bytes(ctx, 30ull << 20));
}

TEST_CASE("device memory: sizes are read in bytes, binary and decimal units, and nonsense is refused") {
  CHECK(parse_bytes("123", "x") == 123);
  CHECK(parse_bytes("512K", "x") == 512 * 1024);
  CHECK(parse_bytes("256MiB", "x") == 256ull << 20);
  CHECK(parse_bytes("1.5G", "x") == 3ull << 29);
  CHECK(parse_bytes("2 GB", "x") == 2000000000ull);
  for (const char* bad : {"", "abc", "-5M", "0", "12Q", "nanM", "1e30T", "M", " 5M"})
    CHECK_THROWS_WITH_AS(parse_bytes(bad, "--max-device-memory"), doctest::Contains("--max-device-memory"), InputError);
}

TEST_CASE("device memory: train --print-model shows it by kind, --max-device-memory refuses a run that does not fit") {
  using test::run_vktrain;
  // --autotune off: nothing is measured, so nothing is borrowed on top of what the run holds.
  const std::vector<std::string> mlp = {"train", "--model", "mlp", "--train-limit", "3000", "--batch", "64", "--autotune", "off"};
  auto args = [&](std::vector<std::string> more) {
    std::vector<std::string> a = mlp;
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  const test::CommandResult printed = run_vktrain(args({"--print-model"}));
  REQUIRE_MESSAGE(printed.exit_code == 0, printed.err);
  for (const char* line : {"device memory on", "dataset", "parameters", "gradients", "activations", "total"})
    CHECK_MESSAGE(printed.out.find(line) != std::string::npos, line);
  CHECK(printed.out.find("optimizer_state") != std::string::npos);  // the default optimizer is Adam
  const test::CommandResult sgd = run_vktrain(args({"--print-model", "--optimizer", "sgd"}));
  REQUIRE_MESSAGE(sgd.exit_code == 0, sgd.err);
  CHECK(sgd.out.find("optimizer_state") == std::string::npos);  // no moments

  const test::CommandResult ran = run_vktrain(args({"--epochs", "1", "--json"}));
  REQUIRE_MESSAGE(ran.exit_code == 0, ran.err);
  const auto j = nlohmann::json::parse(ran.out);
  CHECK(j["device_memory_bytes"].get<uint64_t>() == j["device_memory_planned_bytes"].get<uint64_t>());
  CHECK(j["driver_memory_bytes"].get<uint64_t>() >= j["device_memory_bytes"].get<uint64_t>());
  CHECK_FALSE(j["device_memory"].contains("other"));
  uint64_t sum = 0;
  for (const auto& [k, v] : j["device_memory"].items()) sum += v.get<uint64_t>();
  CHECK(sum == j["device_memory_bytes"].get<uint64_t>());  // each kind peaks at the start

  // With kernels measured on first use (the default, --autotune cached), the plan counts the
  // measurement's scratch too: never less than the run takes.
  std::vector<std::string> measured(mlp.begin(), mlp.end() - 2);
  for (const char* a : {"--epochs", "1", "--json"}) measured.push_back(a);
  const test::CommandResult m = run_vktrain(measured);
  REQUIRE_MESSAGE(m.exit_code == 0, m.err);
  const auto mj = nlohmann::json::parse(m.out);
  CHECK(mj["device_memory_planned_bytes"].get<uint64_t>() >= mj["device_memory_bytes"].get<uint64_t>());

  // The planned total is printed in --print-model; a limit just below it refuses the run.
  const uint64_t need = j["device_memory_bytes"].get<uint64_t>();
  for (const std::string& limit : {std::to_string(need - 1), std::string("1M")}) {
    CAPTURE(limit);
    const test::CommandResult r = run_vktrain(args({"--epochs", "1", "--max-device-memory", limit}));
    CHECK(r.exit_code == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.find("the run needs " + format_bytes(need) + " of device memory (dataset ") != std::string::npos);
    CHECK(r.err.find("--max-device-memory allows") != std::string::npos);
    CHECK(r.err.find("smaller --batch") != std::string::npos);
  }
  const test::CommandResult fits = run_vktrain(args({"--epochs", "1", "--max-device-memory", std::to_string(need)}));
  CHECK_MESSAGE(fits.exit_code == 0, fits.err);
  const test::CommandResult bad = run_vktrain(args({"--max-device-memory", "lots"}));
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("'lots' is not a size") != std::string::npos);
}
