// TensorBoard event files: CRC-32C against the published check values, the record framing
// byte for byte as TensorFlow's record format defines it, and `train --tensorboard` /
// `tune --tensorboard` files read back record by record (every CRC checked, every Event
// parsed with the protobuf schema) against the run's own --log.
#include <doctest/doctest.h>

#include <cmath>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nn/log/crc32c.hpp"
#include "nn/log/event.pb.h"
#include "nn/log/tensorboard.hpp"
#include "tests/cli_runner.hpp"
#include "tests/temp_dir.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

using namespace vkt;
using namespace vkt::test;
using json = nlohmann::json;

namespace {

std::span<const uint8_t> bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

uint64_t le(const std::string& s, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t(uint8_t(s[at + i])) << (8 * i);
  return v;
}

// Every record of an event file, CRCs checked, as Events.
std::vector<vkt::tensorboard::Event> read_events(const std::filesystem::path& path) {
  const std::vector<uint8_t> raw = read_file(path);
  const std::string file(raw.begin(), raw.end());
  std::vector<vkt::tensorboard::Event> events;
  size_t at = 0;
  while (at < file.size()) {
    REQUIRE(file.size() - at >= 12);
    const uint64_t n = le(file, at, 8);
    CHECK(le(file, at + 8, 4) == nn::masked_crc32c(bytes_of(std::string_view(file).substr(at, 8))));
    REQUIRE(file.size() - at >= 16 + n);
    const std::string data = file.substr(at + 12, n);
    CHECK(le(file, at + 12 + n, 4) == nn::masked_crc32c(bytes_of(data)));
    vkt::tensorboard::Event e;
    REQUIRE(e.ParseFromString(data));
    events.push_back(e);
    at += 16 + n;
  }
  return events;
}

std::vector<std::filesystem::path> event_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().starts_with("events.out.tfevents.")) out.push_back(entry.path());
  return out;
}

bool have_data() { return std::filesystem::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"); }

}  // namespace

TEST_CASE("tensorboard: CRC-32C check values and the record framing byte for byte") {
  // RFC 3720 B.4 and the customary "123456789" check value of CRC-32C.
  CHECK(nn::crc32c(bytes_of("123456789")) == 0xE3069283u);
  CHECK(nn::crc32c(std::vector<uint8_t>(32, 0x00)) == 0x8A9136AAu);
  CHECK(nn::crc32c(std::vector<uint8_t>(32, 0xFF)) == 0x62A8AB43u);
  std::vector<uint8_t> ascending(32);
  for (int i = 0; i < 32; ++i) ascending[i] = uint8_t(i);
  CHECK(nn::crc32c(ascending) == 0x46DD794Eu);
  CHECK(nn::crc32c({}) == 0u);
  // The mask: rotate right by 15, add 0xa282ead8 (mod 2^32).
  const uint32_t c = 0xE3069283u;
  CHECK(nn::masked_crc32c(bytes_of("123456789")) == uint32_t(((c >> 15) | (c << 17)) + 0xa282ead8u));

  const std::string data = "abc";
  const std::string rec = nn::tensorboard_record(data);
  REQUIRE(rec.size() == 8 + 4 + 3 + 4);
  const std::string length("\x03\0\0\0\0\0\0\0", 8);
  CHECK(rec.substr(0, 8) == length);
  CHECK(le(rec, 8, 4) == nn::masked_crc32c(bytes_of(length)));
  CHECK(rec.substr(12, 3) == "abc");
  CHECK(le(rec, 15, 4) == nn::masked_crc32c(bytes_of("abc")));
}

TEST_CASE("tensorboard: a writer's file is the version record, then one Event per step with its scalars") {
  TempDir dir;
  const auto where = dir / "runs" / "a";  // created with its parents
  {
    nn::TensorBoardWriter w(where);
    w.scalars(1, {{"train/loss", 0.5}, {"lr", 1e-3}});
    w.scalars(2, {{"train/loss", 0.25}, {"lr", 5e-4}});
  }
  const auto files = event_files(where);
  REQUIRE(files.size() == 1);
  const auto events = read_events(files[0]);
  REQUIRE(events.size() == 3);
  CHECK(events[0].file_version() == "brain.Event:2");
  CHECK(events[0].wall_time() > 1.7e9);
  for (int s = 1; s <= 2; ++s) {
    CHECK(events[s].step() == s);
    REQUIRE(events[s].summary().value_size() == 2);
    CHECK(events[s].summary().value(0).tag() == "train/loss");
    CHECK(events[s].summary().value(0).simple_value() == float(s == 1 ? 0.5 : 0.25));
    CHECK(events[s].summary().value(1).simple_value() == float(s == 1 ? 1e-3 : 5e-4));
  }
  // A path that cannot be a directory is refused by name.
  std::ofstream(dir / "file") << "x";
  CHECK_THROWS_WITH_AS(nn::TensorBoardWriter(dir / "file" / "sub"), doctest::Contains("--tensorboard"), InputError);
  // Trial folders: id and parameters, nothing a path cannot hold.
  CHECK(nn::tensorboard_trial_folder(7, {{"lr", "0.001"}, {"optimizer", "adam"}}) == "trial-7-lr=0.001,optimizer=adam");
  CHECK(nn::tensorboard_trial_folder(3, {{"model", "a/b c"}}) == "trial-3-model=a_b_c");
  CHECK(nn::tensorboard_trial_folder(0, {}) == "trial-0");
}

TEST_CASE("train --tensorboard and tune --tensorboard: the epochs' scalars, as the log has them, one folder per trial") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string log = (dir / "log.jsonl").string();
  const auto r = run_vktrain({"train", "--model", "mlp", "--train-limit", "600", "--epochs", "3", "--log", log,
                              "--tensorboard", (dir / "tb").string()});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const auto files = event_files(dir / "tb");
  REQUIRE(files.size() == 1);
  const auto events = read_events(files[0]);
  const auto rows = read_jsonl(log);
  REQUIRE(events.size() == 1 + rows.size());
  const std::map<std::string, std::string> from_log = {{"train/loss", "loss"},    {"train/accuracy", "train_acc"},
                                                       {"val/loss", "val_loss"},  {"val/accuracy", "val_acc"},
                                                       {"lr", "lr"},              {"img_per_s", "img_per_s"}};
  for (size_t e = 0; e < rows.size(); ++e) {
    CAPTURE(e);
    const auto& ev = events[e + 1];
    CHECK(ev.step() == int64_t(e + 1));
    REQUIRE(ev.summary().value_size() == int(from_log.size()));
    for (const auto& v : ev.summary().value()) {
      CAPTURE(v.tag());
      REQUIRE(from_log.count(v.tag()));
      CHECK(v.simple_value() == float(rows[e][from_log.at(v.tag())].get<double>()));
    }
  }

  // A study: one run folder per trial, named by id and parameters, one Event per epoch.
  const std::string space = (dir / "space.json").string();
  std::ofstream(space) << R"({"lr": {"type": "categorical", "choices": [0.001, 0.003]}})";
  const auto t = run_vktrain({"tune", "--space", space, "--study", (dir / "s.vkts").string(), "--model", "mlp",
                              "--train-limit", "600", "--epochs", "2", "--trials", "2", "--sampler", "grid",
                              "--tensorboard", (dir / "study-tb").string()});
  INFO("tune stderr: " << t.err);
  REQUIRE(t.exit_code == 0);
  std::vector<std::string> folders;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "study-tb")) {
    folders.push_back(entry.path().filename().string());
    const auto trial_files = event_files(entry.path());
    REQUIRE(trial_files.size() == 1);
    CHECK(read_events(trial_files[0]).size() == 3);  // version + 2 epochs
  }
  std::sort(folders.begin(), folders.end());
  CHECK(folders == std::vector<std::string>{"trial-0-lr=0.001", "trial-1-lr=0.003"});
}
