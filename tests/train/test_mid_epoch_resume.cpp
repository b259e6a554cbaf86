// Resume anywhere: a run stopped after any optimizer step of an epoch and resumed from the
// state written there takes exactly the steps the uninterrupted run takes. The runs record
// one step per submission, so the progress callback sees the running loss after every step:
// the per-step losses of both runs are compared bit for bit, then the epoch means, the
// validation results and the final weights. The MLP has dropout (masks seeded by the step)
// and Adam (both moments in the state), with and without augmentation; the data is synthetic,
// so no files are needed.
#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "nn/checkpoint/training_state.hpp"
#include "nn/train/trainer.hpp"
#include "runtime/context.hpp"
#include "tests/temp_dir.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

Dataset noise_images(uint32_t count, uint32_t seed) {
  Dataset d;
  d.count = count;
  d.channels = 1;
  d.height = d.width = 28;
  d.classes = 10;
  std::mt19937 rng(seed);
  d.images.resize(size_t(count) * d.image_bytes());
  for (auto& p : d.images) p = static_cast<uint8_t>(rng() % 256);
  d.labels.resize(count);
  // Labels that depend on the image, so the loss falls and the steps differ from each other.
  for (uint32_t i = 0; i < count; ++i) d.labels[i] = d.images[size_t(i) * d.image_bytes() + 100] % 10;
  return d;
}

DataSplits splits() { return {noise_images(300, 1), noise_images(64, 2), noise_images(32, 3)}; }

TrainConfig config(const std::string& augment = "none") {
  TrainConfig c;
  c.augment = parse_augment(augment);
  c.model = "mlp";
  c.vars = {{"hidden", 24}, {"dropout", 0.25}};
  c.epochs = 3;
  c.batch = 32;  // 9 steps per epoch (300 / 32), the last 12 images dropped
  c.optimizer.kind = OptimizerKind::Adam;
  c.optimizer.lr = 3e-3;
  c.seed = 11;
  c.steps_per_submit = 1;
  return c;
}

struct Run {
  std::vector<double> step_losses;  // the epoch's running mean after each step
  std::vector<EpochStats> epochs;
  std::vector<NamedTensor> weights;
};

// Trains to the end; with `stop_at` > 0, throws `Stopped` from the checkpoint callback after
// that optimizer step, as a kill would end the process there.
struct Stopped {};
Run train(Trainer& t, uint64_t checkpoint_every, uint64_t stop_at, std::optional<TrainingState>* saved) {
  Run r;
  while (t.epoch() < t.config().epochs) {
    r.epochs.push_back(t.train_epoch([&](const Progress& p) { r.step_losses.push_back(p.loss); }, checkpoint_every,
                                     [&] {
                                       if (saved) *saved = t.state();
                                       if (stop_at && t.step() == stop_at) throw Stopped{};
                                     }));
  }
  r.weights = t.weights();
  return r;
}

}  // namespace

// With augmentation too: its draws come from the step, which the state carries.
TEST_CASE("train: a run stopped mid-epoch resumes from its state with the same per-step losses") {
  Context ctx(test::test_context_options());
  const DataSplits data = splits();
  const auto device_data = std::make_shared<const DeviceData>(ctx, data);
  std::vector<double> unaugmented;
  for (const std::string augment : {"none", "crop:3,flip,rotate:10,scale:0.1"}) {
    CAPTURE(augment);
    Trainer whole(ctx, config(augment), device_data);
    const Run full = train(whole, 0, 0, nullptr);
    REQUIRE(full.step_losses.size() == 27);
    REQUIRE(full.epochs.size() == 3);
    CHECK(full.step_losses[0] != full.step_losses[1]);
    if (augment == "none")
      unaugmented = full.step_losses;
    else
      CHECK(full.step_losses != unaugmented);  // the transforms reach the batches

    // Stop after step 13 (epoch 2, step 4 of 9) and after step 5 (in the first epoch).
    for (const uint64_t stop : {uint64_t{13}, uint64_t{5}}) {
      CAPTURE(stop);
      std::optional<TrainingState> saved;
      Trainer first(ctx, config(augment), device_data);
      CHECK_THROWS_AS(train(first, 1, stop, &saved), Stopped);
      REQUIRE(saved.has_value());
      CHECK(saved->step == stop);
      CHECK(saved->position_in_epoch == (stop % 9) * 32);
      CHECK(saved->epoch_sums.counted == saved->position_in_epoch);

      // Through the file format, as `--resume` reads it.
      test::TempDir dir;
      write_training_state(dir / "mid.state", *saved);
      Trainer resumed(ctx, config(augment), device_data);
      resumed.restore(read_training_state(dir / "mid.state"), "mid.state");
      CHECK(resumed.steps_in_epoch() == stop % 9);
      const Run rest = train(resumed, 0, 0, nullptr);

      // Every step after the stop, bit for bit: the running mean of the resumed epoch starts
      // from the sums in the state.
      REQUIRE(rest.step_losses.size() == 27 - stop);
      for (size_t i = 0; i < rest.step_losses.size(); ++i) {
        CAPTURE(i);
        CHECK(rest.step_losses[i] == full.step_losses[stop + i]);
      }
      const size_t skipped = full.epochs.size() - rest.epochs.size();
      for (size_t e = 0; e < rest.epochs.size(); ++e) {
        CHECK(rest.epochs[e].epoch == full.epochs[skipped + e].epoch);
        CHECK(rest.epochs[e].loss == full.epochs[skipped + e].loss);
        CHECK(rest.epochs[e].train_acc == full.epochs[skipped + e].train_acc);
        CHECK(rest.epochs[e].val.loss == full.epochs[skipped + e].val.loss);
      }
      REQUIRE(rest.weights.size() == full.weights.size());
      for (size_t i = 0; i < rest.weights.size(); ++i) CHECK(rest.weights[i].data == full.weights[i].data);
    }
  }
}

TEST_CASE("train: a state written between epochs carries the finished epoch's training loss") {
  Context ctx(test::test_context_options());
  const auto device_data = std::make_shared<const DeviceData>(ctx, splits());
  Trainer first(ctx, config(), device_data);
  CHECK(std::isnan(first.epoch_loss()));  // nothing trained yet
  CHECK(first.state().epoch_sums == EpochSums{});
  const EpochStats e1 = first.train_epoch();
  const TrainingState at_boundary = first.state();
  CHECK(at_boundary.position_in_epoch == 0);
  CHECK(at_boundary.epoch_sums.counted == 9 * 32);
  CHECK(first.epoch_loss() == e1.loss);

  // Resumed there (as a tune trial whose worker died before journaling the epoch), the epoch's
  // loss is the one the uninterrupted run reported, and training goes on as before.
  test::TempDir dir;
  write_training_state(dir / "e1.state", at_boundary);
  Trainer resumed(ctx, config(), device_data);
  resumed.restore(read_training_state(dir / "e1.state"), "e1.state");
  CHECK(resumed.steps_in_epoch() == 0);
  CHECK(resumed.epoch_loss() == e1.loss);
  CHECK(resumed.train_epoch().loss == first.train_epoch().loss);

  // A boundary state without sums (version 1 files) still resumes, with no loss to report;
  // sums covering part of an epoch do not fit a boundary.
  TrainingState no_sums = at_boundary;
  no_sums.epoch_sums = {};
  Trainer old(ctx, config(), device_data);
  old.restore(no_sums, "v1.state");
  CHECK(std::isnan(old.epoch_loss()));
  TrainingState partial = at_boundary;
  partial.epoch_sums.counted = 64;
  Trainer refused(ctx, config(), device_data);
  try {
    refused.restore(partial, "partial.state");
    FAIL("restored sums of part of an epoch at an epoch boundary");
  } catch (const InputError& e) {
    CHECK_MESSAGE(std::string(e.what()).find("cover 64 samples, not the 288 of the epoch it finished") != std::string::npos,
                  e.what());
  }
}

TEST_CASE("train: a mid-epoch state whose position, sums or shuffle do not fit the run is refused") {
  Context ctx(test::test_context_options());
  const auto device_data = std::make_shared<const DeviceData>(ctx, splits());
  std::optional<TrainingState> saved;
  {
    Trainer t(ctx, config(), device_data);
    CHECK_THROWS_AS(train(t, 3, 12, &saved), Stopped);
  }
  REQUIRE(saved.has_value());
  REQUIRE(saved->position_in_epoch == 3 * 32);
  auto refused = [&](const TrainingState& s, const std::string& says) {
    Trainer t(ctx, config(), device_data);
    try {
      t.restore(s, "bad.state");
      FAIL("restored a bad state");
    } catch (const InputError& e) {
      CHECK_MESSAGE(std::string(e.what()).find(says) != std::string::npos, e.what());
    }
  };
  auto s = *saved;
  s.position_in_epoch += 1;  // not whole steps
  refused(s, "position 97 in the epoch");
  s = *saved;
  s.step += 1;  // disagrees with the epoch and position
  refused(s, "step 13");
  s = *saved;
  s.position_in_epoch = 9 * 32;  // past the epoch's last step
  s.step = 18;
  refused(s, "position 288");
  s = *saved;
  s.epoch_sums.counted = 64;
  refused(s, "cover 64 samples");
  s = *saved;
  s.shuffle_seed ^= 1;
  refused(s, "shuffle order");
  s = *saved;
  s.rng_state = {1};
  refused(s, "RNG state");
  // The saved state itself resumes.
  Trainer t(ctx, config(), device_data);
  t.restore(*saved, "good.state");
  CHECK(t.step() == 12);
}
