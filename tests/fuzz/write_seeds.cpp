// fuzz_write_seeds OUT_DIR: writes a few small valid files of each binary format to
// OUT_DIR/<format>/, made by the project's own writers (the IDX files by hand: the project
// only reads IDX). scripts/fuzz.sh runs it before fuzzing; the JSON seeds are checked in.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/checkpoint/safetensors.hpp"
#include "nn/checkpoint/training_state.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tuning/storage/journal.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

namespace fs = std::filesystem;
using namespace vkt;

namespace {

void write_safetensors_seeds(const fs::path& dir) {
  const std::vector<nn::NamedTensor> mlp = {{"0.weight", {2, 3}, {0.5f, -1, 2, 0, 1e-3f, -7}},
                                            {"0.bias", {2}, {0.25f, -0.25f}}};
  nn::write_safetensors(dir / "mlp.safetensors", mlp);
  nn::NamedTensor counter{"1.num_batches_tracked", {}, {}, true, {42}};
  const std::vector<nn::NamedTensor> bn = {{"1.weight", {3}, {1, 1, 1}}, {"1.empty", {0, 4}, {}}, counter};
  nn::write_safetensors(dir / "batchnorm.safetensors", bn, {{"format", "pt"}, {"vktrain", "1"}});
}

void write_training_state_seeds(const fs::path& dir) {
  nn::TrainingState s;
  s.config_json = R"({"model":"mlp","lr":0.001,"batch":64})";
  s.step = 1234;
  s.epoch = 2;
  s.position_in_epoch = 64;
  s.rng_state = {1, 2, 3, 255};
  s.shuffle_seed = 99;
  s.shuffle_permutation = {3, 1, 0, 2};
  s.optimizer_moments = {{"0.weight.m", {2}, {0.1f, -0.2f}}, {"0.weight.v", {2}, {0.01f, 0.04f}}};
  s.parameters = {{"0.weight", {2}, {5, 6}}, {"0.scale", {}, {0.5f}}};
  nn::write_training_state(dir / "state.vkstate", s);
  nn::write_training_state(dir / "empty.vkstate", nn::TrainingState{});
}

// Big-endian header: 0, 0, type 0x08 (unsigned byte), rank, then one u32 per dimension.
std::vector<uint8_t> idx(const std::vector<uint32_t>& dims) {
  std::vector<uint8_t> bytes = {0, 0, 0x08, uint8_t(dims.size())};
  size_t count = 1;
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(uint8_t(d >> shift));
    count *= d;
  }
  for (size_t i = 0; i < count; ++i) bytes.push_back(uint8_t(i * 37));
  return bytes;
}

void write_idx_seeds(const fs::path& dir) {
  const auto images = idx({3, 4, 5});
  const auto labels = idx({6});
  write_file_atomic(dir / "images.idx", images);
  write_file_atomic(dir / "labels.idx", labels);
  write_file_atomic(dir / "images.idx.gz", fuzz::gzip(images, 4096));
  write_file_atomic(dir / "labels.idx.gz", fuzz::gzip(labels, 4096));
}

void write_journal_seeds(const fs::path& dir) {
  using namespace vkt::tune;
  using namespace vkt::tune::storage;
  const fs::path file = dir / "study.vkts";
  fs::remove(file);  // the writer would append to an old one
  Journal j(file, 0x1234abcd5678ef00ull, {{"direction", "maximize"}, {"epochs", 2}});
  const Owner me{"fuzzhost", 4242, "worker-a"};
  const Params params = {{"lr", 1e-3}, {"hidden", int64_t(128)}, {"optimizer", std::string("adam")}, {"bn", true}};
  j.append({TrialStarted{0, params, 1000, me, false}, SamplerState{{1, 2, 3}}});
  j.append(EpochReported{0, 1, 0.5, 1.25});
  j.append(CheckpointWritten{0, 1, "/ckpt/t0-e1"});
  j.append(TrialFinished{0, TrialState::Complete, 0.75, ""});
  j.append(TrialStarted{1, params, 1001, me, false});
  j.append(TrialFinished{1, TrialState::Pruned, 0.25, "pruned at epoch 1"});
  j.append(RefitFinished{RefitResult{0, 60000, 2, 0.875, 0.35, 12.5}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  try {
    for (const char* format : {"safetensors", "training_state", "idx", "journal"}) fs::create_directories(out / format);
    write_safetensors_seeds(out / "safetensors");
    write_training_state_seeds(out / "training_state");
    write_idx_seeds(out / "idx");
    write_journal_seeds(out / "journal");
  } catch (const Error& e) {
    std::fprintf(stderr, "fuzz_write_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
