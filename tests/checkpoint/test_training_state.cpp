// The resume file: every field round-trips, and any damage — a flipped byte anywhere, a
// cut at any offset, a wrong magic or version, a lying length — is an InputError naming
// the file, never a half-restored run.
#include <doctest/doctest.h>

#include "nn/checkpoint/binary_io.hpp"
#include "nn/checkpoint/training_state.hpp"
#include "tests/nn_data/file_test_support.hpp"
#include "util/file_io.hpp"

using namespace vkt::nn;
using vkt::test::input_error_message;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TrainingState sample_state() {
  TrainingState s;
  s.config_json = R"({"model":"mlp","lr":0.001,"batch":64})";
  s.step = 123456789012ull;
  s.epoch = 7;
  s.position_in_epoch = 4242;
  s.epoch_sums = {123.25f, 4000, 4242, 1};
  s.plateau = {0.0125, 0.3456789012345678, 3};
  s.rng_state = {1, 2, 3, 0, 255};
  s.shuffle_seed = 0xfeedfacecafebeefull;
  s.shuffle_permutation = {3, 1, 4, 0, 2};
  s.optimizer_moments = {{"fc.weight.m", {2, 2}, {0.1f, -0.2f, 0.3f, -0.4f}}, {"fc.weight.v", {2, 2}, {1, 2, 3, 4}}};
  s.parameters = {{"fc.weight", {2, 2}, {5, 6, 7, 8}}, {"fc.bias", {2}, {-1, 1}}, {"scale", {}, {0.5f}}};
  return s;
}

void check_equal(const NamedTensor& a, const NamedTensor& b) {
  CHECK(a.name == b.name);
  CHECK(a.shape == b.shape);
  CHECK(a.data == b.data);
}

// Offsets of the file's parts: "VKTSTATE", u32 version, u64 length, payload, u32 CRC.
constexpr size_t kPayloadStart = 8 + 4 + 8;

}  // namespace

TEST_CASE("checkpoint: training state round-trips every field through a file") {
  vkt::test::TempDir dir;
  const auto path = dir / "run" / "state.vkts";  // the parent directory is created
  const TrainingState s = sample_state();
  write_training_state(path, s);
  const TrainingState r = read_training_state(path);
  CHECK(r.config_json == s.config_json);
  CHECK(r.step == s.step);
  CHECK(r.epoch == s.epoch);
  CHECK(r.position_in_epoch == s.position_in_epoch);
  CHECK(r.epoch_sums == s.epoch_sums);
  CHECK(r.plateau == s.plateau);  // doubles, bit for bit
  CHECK(r.rng_state == s.rng_state);
  CHECK(r.shuffle_seed == s.shuffle_seed);
  CHECK(r.shuffle_permutation == s.shuffle_permutation);
  REQUIRE(r.optimizer_moments.size() == 2);
  REQUIRE(r.parameters.size() == 3);
  for (size_t i = 0; i < 2; ++i) check_equal(r.optimizer_moments[i], s.optimizer_moments[i]);
  for (size_t i = 0; i < 3; ++i) check_equal(r.parameters[i], s.parameters[i]);
  // An empty state (nothing trained yet) is valid too.
  const TrainingState empty = decode_training_state(encode_training_state({}), "e");
  CHECK(empty.parameters.empty());
  CHECK(empty.config_json.empty());
}

TEST_CASE("checkpoint: training state file layout is magic, version, length, payload, CRC") {
  const auto file = encode_training_state(sample_state());
  CHECK(std::string(file.begin(), file.begin() + 8) == "VKTSTATE");
  vkt::nn::BinaryReader r(file, "f");
  r.raw(8, "magic");
  CHECK(r.u32("version") == kTrainingStateVersion);
  const uint64_t length = r.u64("length");
  CHECK(file.size() == kPayloadStart + length + 4);
  const std::span<const uint8_t> payload(file.data() + kPayloadStart, length);
  r.raw(length, "payload");
  CHECK(r.u32("crc") == vkt::crc32(payload));
}

TEST_CASE("checkpoint: training state detects a flipped byte anywhere") {
  const auto file = encode_training_state(sample_state());
  for (size_t at = 0; at < file.size(); ++at) {
    CAPTURE(at);
    auto bad = file;
    bad[at] ^= 0x10;
    const auto m = input_error_message([&] { decode_training_state(bad, "s.vkts"); });
    CHECK(contains(m, "s.vkts: "));
    if (at >= kPayloadStart && at < file.size() - 4) CHECK(contains(m, "CRC mismatch"));
  }
}

TEST_CASE("checkpoint: training state truncated at every offset is an InputError naming the file") {
  vkt::test::TempDir dir;
  const auto path = dir / "state.vkts";
  const auto file = encode_training_state(sample_state());
  for (size_t size = 0; size < file.size(); ++size) {
    CAPTURE(size);
    vkt::test::write_bytes(path, std::vector<uint8_t>(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(size)));
    CHECK(contains(input_error_message([&] { read_training_state(path); }), path.string() + ": "));
  }
  auto longer = file;
  longer.push_back(0);
  CHECK(contains(input_error_message([&] { decode_training_state(longer, "s"); }), "s: trailing garbage"));
}

TEST_CASE("checkpoint: training state header problems are named") {
  const auto file = encode_training_state(sample_state());
  SUBCASE("bad magic") {
    auto bad = file;
    bad[0] = 'X';
    CHECK(contains(input_error_message([&] { decode_training_state(bad, "s"); }), "s: not a vktrain training state"));
  }
  SUBCASE("another version") {
    auto bad = file;
    bad[8] = uint8_t(kTrainingStateVersion + 1);  // one past this build's
    CHECK(contains(input_error_message([&] { decode_training_state(bad, "s"); }),
                   "s: training state format version " + std::to_string(kTrainingStateVersion + 1) +
                       ", this build reads 1 to " + std::to_string(kTrainingStateVersion)));
  }
  SUBCASE("a length past the end of the file") {
    auto bad = file;
    bad[19] = 0x80;
    CHECK(contains(input_error_message([&] { decode_training_state(bad, "s"); }), "s: truncated: payload length"));
  }
}

TEST_CASE("checkpoint: a payload with a lying inner length is refused even with a valid CRC") {
  // A writer bug (or a forged file) whose CRC is right but whose fields are not.
  BinaryWriter payload;
  payload.u64(uint64_t{1} << 40);  // config string "length"
  payload.raw(std::vector<uint8_t>{'{', '}'});
  BinaryWriter file;
  file.raw(std::vector<uint8_t>{'V', 'K', 'T', 'S', 'T', 'A', 'T', 'E'});
  file.u32(kTrainingStateVersion);
  file.u64(payload.data().size());
  file.raw(payload.data());
  file.u32(vkt::crc32(payload.data()));
  const auto m = input_error_message([&] { decode_training_state(file.data(), "forged"); });
  CHECK(contains(m, "forged: payload: length past the end: config"));
}

TEST_CASE("checkpoint: version 1 and 2 states (before mid-epoch resume, before the plateau schedule) are still read") {
  for (const uint32_t version : {1u, 2u}) {
    CAPTURE(version);
    // Version 1 is version 2 without the four epoch sums after the position in the epoch;
    // version 2 is version 3 without the plateau state after them.
    BinaryWriter payload;
    payload.string(R"({"model":"mlp"})");
    payload.u64(20);  // step
    payload.u32(2);   // epoch
    payload.u64(0);   // position in epoch
    if (version == 2) {
      payload.f32(12.5f);
      for (const uint32_t count : {3u, 4u, 5u}) payload.u32(count);
    }
    payload.bytes({});
    payload.u64(99);  // shuffle seed
    payload.u32_array({});
    payload.u64(0);  // no moments
    payload.u64(1);  // one parameter
    payload.string("w");
    payload.i64_array(std::vector<int64_t>{2});
    payload.f32_array(std::vector<float>{1.5f, -2});
    BinaryWriter file;
    file.raw(std::vector<uint8_t>{'V', 'K', 'T', 'S', 'T', 'A', 'T', 'E'});
    file.u32(version);
    file.u64(payload.data().size());
    file.raw(payload.data());
    file.u32(vkt::crc32(payload.data()));
    const TrainingState r = decode_training_state(file.data(), "old");
    CHECK(r.step == 20);
    CHECK(r.epoch == 2);
    CHECK(r.shuffle_seed == 99);
    CHECK(r.epoch_sums == (version == 1 ? EpochSums{} : EpochSums{12.5f, 3, 4, 5}));
    CHECK(r.plateau == PlateauState{});
    REQUIRE(r.parameters.size() == 1);
    CHECK(r.parameters[0].data == std::vector<float>{1.5f, -2});
    // A version from the future is refused by name.
    BinaryWriter future;
    future.raw(std::vector<uint8_t>{'V', 'K', 'T', 'S', 'T', 'A', 'T', 'E'});
    future.u32(kTrainingStateVersion + 1);
    future.u64(payload.data().size());
    future.raw(payload.data());
    future.u32(vkt::crc32(payload.data()));
    CHECK(contains(input_error_message([&] { decode_training_state(future.data(), "f"); }), "format version " + std::to_string(kTrainingStateVersion + 1)));
  }
}

TEST_CASE("checkpoint: training state writes leave no temporary files") {
  vkt::test::TempDir dir;
  for (int i = 0; i < 3; ++i) {
    TrainingState s = sample_state();
    s.step = static_cast<uint64_t>(i);
    write_training_state(dir / "state.vkts", s);
  }
  CHECK(read_training_state(dir / "state.vkts").step == 2);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 1);
}
