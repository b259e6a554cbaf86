#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>

#include "tests/temp_dir.hpp"
#include "tuning/storage/journal.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

using namespace vkt;
using namespace vkt::tune;
using namespace vkt::tune::storage;
namespace fs = std::filesystem;

namespace {

const nlohmann::json kSettings = {{"direction", "maximize"}, {"epochs", 3}};
constexpr uint64_t kFingerprint = 0x1234abcd5678ef00ull;

Owner me() { return Owner{"testhost", 4242, "worker-a"}; }

TrialStarted started(int64_t id) {
  return TrialStarted{id, {{"lr", 1e-3}, {"hidden", int64_t(128)}, {"optimizer", std::string("adam")}, {"bn", true}},
                      uint64_t(1000 + id), me(), false};
}

// A small study: two trials with epochs, a checkpoint, a finish and sampler states.
void write_study(const fs::path& file) {
  Journal j(file, kFingerprint, kSettings);
  j.append({started(0), SamplerState{{1, 2, 3}}});
  j.append(EpochReported{0, 1, 0.5, 1.25});
  j.append(CheckpointWritten{0, 1, "/ckpt/t0-e1"});
  j.append(EpochReported{0, 2, 0.75, 0.5});
  j.append(TrialFinished{0, TrialState::Complete, 0.75, ""});
  j.append({started(1), SamplerState{{4, 5}}});
  j.append(EpochReported{1, 1, std::nan(""), INFINITY});
  j.append(TrialFinished{1, TrialState::Diverged, std::nan(""), "value became nan"});
}

void flip_byte(const fs::path& file, uint64_t offset) {
  auto bytes = read_file(file);
  bytes.at(offset) ^= 0x5a;
  write_file_atomic(file, bytes);
}

std::string error_of(const fs::path& file) {
  try {
    Journal j(file, kFingerprint, kSettings);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Runs `f` with std::cerr captured; returns what it printed (the capture ends however f ends).
template <typename F>
std::string stderr_of(F&& f) {
  std::ostringstream text;
  auto* old = std::cerr.rdbuf(text.rdbuf());
  try {
    f();
  } catch (...) {
    std::cerr.rdbuf(old);
    throw;
  }
  std::cerr.rdbuf(old);
  return text.str();
}

}  // namespace

TEST_CASE("tuning: journal file layout: the header as documented, one offset per record") {
  // What every record replays to is checked on both backends (test_storage.cpp); this is
  // the file's own framing.
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  write_study(file);
  Journal j(file, kFingerprint, kSettings);
  REQUIRE(j.state().trials.size() == 2);
  CHECK(j.record_offsets().size() == 11);  // study created + 10 appended

  // The header is exactly as documented.
  const auto bytes = read_file(file);
  CHECK(std::string(bytes.begin(), bytes.begin() + 8) == "VKTSTUDY");
  CHECK(bytes[8] == 1);
  CHECK(j.record_offsets().front() == 20);
}

TEST_CASE("tuning: journal refuses another fingerprint and non-journals") {
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  write_study(file);
  try {
    Journal j(file, kFingerprint + 1, kSettings);
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("was created with a different space/settings") != std::string::npos);
    CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
  }
  CHECK_NOTHROW(Journal{file});  // reports may open any study
  write_file_atomic(dir / "other", std::vector<uint8_t>(40, 'x'));
  CHECK_THROWS_AS(Journal(dir / "other", kFingerprint, kSettings), InputError);
  CHECK_THROWS_AS(Journal{dir / "missing"}, InputError);
}

namespace {
size_t open_descriptors() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}
}  // namespace

// Found by tests/fuzz/fuzz_journal: a refused journal kept its file open (a constructor that
// throws runs no destructor), and a long-lived process ran out of descriptors.
TEST_CASE("tuning: a journal refused while opening closes its file") {
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  write_study(file);
  write_file_atomic(dir / "other", std::vector<uint8_t>(40, 'x'));
  const size_t before = open_descriptors();
  for (int i = 0; i < 50; ++i) {
    CHECK_THROWS_AS(Journal(file, kFingerprint + 1, kSettings), InputError);
    CHECK_THROWS_AS(Journal{dir / "other"}, InputError);
  }
  CHECK(open_descriptors() == before);
}

TEST_CASE("tuning: journal cuts a torn tail at every byte of the last record") {
  test::TempDir dir;
  const fs::path original = dir / "original.vkts";
  write_study(original);
  const uint64_t last = Journal(original).record_offsets().back();
  const auto full = read_file(original);
  REQUIRE(full.size() > last + 8);
  const fs::path file = dir / "study.vkts";
  const fs::path backup = file.string() + ".torn-" + std::to_string(last);
  for (uint64_t cut = last + 1; cut < full.size(); ++cut) {
    CAPTURE(cut);
    write_file_atomic(file, std::span(full.data(), cut));
    fs::remove(backup);
    std::optional<Journal> opened;
    const std::string warning = stderr_of([&] { opened.emplace(file, kFingerprint, kSettings); });
    CHECK(warning.find("torn last record at byte offset " + std::to_string(last)) != std::string::npos);
    const Journal& j = *opened;
    // Only the last record (trial 1's finish) is gone.
    REQUIRE(j.state().trials.size() == 2);
    CHECK(j.state().trials[1].state == TrialState::Running);
    CHECK(j.state().trials[1].epochs.size() == 1);
    CHECK(fs::file_size(file) == last);
    REQUIRE(fs::exists(backup));
    CHECK(fs::file_size(backup) == cut - last);
  }
  // After the repair the study goes on normally.
  {
    Journal j(file, kFingerprint, kSettings);
    j.append(TrialFinished{1, TrialState::Failed, 0, "again"});
  }
  Journal reopened(file, kFingerprint, kSettings);
  CHECK(reopened.state().trials[1].state == TrialState::Failed);
}

TEST_CASE("tuning: journal drops a last record with a bad checksum") {
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  write_study(file);
  const uint64_t last = Journal(file).record_offsets().back();
  flip_byte(file, fs::file_size(file) - 2);  // inside the last record's payload
  Journal j(file, kFingerprint, kSettings);
  CHECK(j.state().trials[1].state == TrialState::Running);
  CHECK(fs::exists(file.string() + ".torn-" + std::to_string(last)));
}

TEST_CASE("tuning: journal reports corruption in the middle with its byte offset") {
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  write_study(file);
  const std::vector<uint64_t> offsets = Journal(file).record_offsets();
  const auto pristine = read_file(file);
  // Damage the payload, the CRC, and the length of a record in the middle.
  const uint64_t victim = offsets[3];
  for (uint64_t at : {victim + 10, victim + 5, victim + 0}) {
    CAPTURE(at);
    write_file_atomic(file, pristine);
    flip_byte(file, at);
    const std::string message = error_of(file);
    CHECK(message.find("byte offset " + std::to_string(victim)) != std::string::npos);
    CHECK(fs::file_size(file) == pristine.size());  // nothing was cut
  }
}

TEST_CASE("tuning: journal appends from two handles interleave and stay consistent") {
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  Journal a(file, kFingerprint, kSettings);
  Journal b(file, kFingerprint, kSettings);
  auto propose = [](const StudyState& s) {
    return std::optional<Proposal>(Proposal{{{"i", int64_t(s.trials.size())}}, 7, {uint8_t(s.trials.size())}});
  };
  for (int round = 0; round < 4; ++round) {
    CHECK(a.claim_next_trial(8, me(), propose).value_or(-1) == 2 * round);
    CHECK(b.claim_next_trial(8, me(), propose).value_or(-1) == 2 * round + 1);
  }
  CHECK_FALSE(a.claim_next_trial(8, me(), propose));  // 8 started: the total is reached
  b.refresh();
  CHECK(b.state().trials.size() == 8);
  CHECK(b.state().sampler_state == std::vector<uint8_t>{7});
  for (int64_t i = 0; i < 8; ++i) CHECK(b.state().trials[size_t(i)].params.at("i") == Value(i));
}

TEST_CASE("tuning: an orphaned trial is claimed once, with its params and seed") {
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  Journal a(file, kFingerprint, kSettings);
  a.append({started(0), TrialFinished{0, TrialState::Complete, 1, ""}, started(1), CheckpointWritten{1, 2, "/c"}});
  auto dead = [](const Owner& o) { return o.pid == 4242; };
  const Owner next{"testhost", 777, "worker-b"};
  CHECK_FALSE(a.claim_orphan(next, dead, 1));  // below_id keeps it to trials under the total
  CHECK(a.claim_orphan(next, dead).value_or(-1) == 1);
  Journal b(file, kFingerprint, kSettings);
  CHECK_FALSE(b.claim_orphan(next, dead));  // now owned by pid 777, which is alive
  const Trial& t = b.state().trials[1];
  CHECK(t.resumed == 1);
  CHECK(t.owner.pid == 777);
  CHECK(t.params == started(1).params);
  CHECK(t.seed == started(1).seed);
  CHECK(t.checkpoint->second == "/c");
  CHECK(b.state().trials.size() == 2);
}

TEST_CASE("tuning: journal opened for reading skips a torn tail without cutting it, and the next writer cuts it") {
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  write_study(file);
  const uint64_t last = Journal(file).record_offsets().back();
  const auto full = read_file(file);
  write_file_atomic(file, std::span(full.data(), full.size() - 3));
  const uint64_t torn_size = full.size() - 3;
  {
    std::optional<Journal> reader;
    const std::string warning = stderr_of([&] { reader.emplace(file); });
    CHECK(warning.find("ignoring a torn last record at byte offset " + std::to_string(last)) != std::string::npos);
    CHECK(reader->state().trials.at(1).state == TrialState::Running);
    CHECK_THROWS_AS(reader->append(TrialFinished{1, TrialState::Failed, 0, "x"}), Error);
  }
  CHECK(fs::file_size(file) == torn_size);  // untouched by the reader
  CHECK(!fs::exists(file.string() + ".torn-" + std::to_string(last)));
  Journal writer(file, kFingerprint, kSettings);
  CHECK(fs::file_size(file) == last);
}

TEST_CASE("tuning: a journal whose creation was torn after the header is completed by a writer, refused by a reader") {
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  write_study(file);
  const auto full = read_file(file);
  const fs::path header_only = dir / "header.vkts";
  write_file_atomic(header_only, std::span(full.data(), 20));  // magic, version, fingerprint
  try {
    Journal reader(header_only);
    FAIL("a header alone was read as a study");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("no study-created record") != std::string::npos);
  }
  {
    Journal writer(header_only, kFingerprint, kSettings);
    CHECK(writer.state().settings == kSettings);
  }
  CHECK(Journal(header_only).state().settings == kSettings);
}

TEST_CASE("tuning: a journal whose first record is not the study-created one is bad input naming the offset") {
  test::TempDir dir;
  const fs::path file = dir / "study.vkts";
  write_study(file);
  const std::vector<uint64_t> offsets = Journal(file).record_offsets();
  const auto full = read_file(file);
  // Header, then the records from the second on: trial 0 starts the file.
  std::vector<uint8_t> cut(full.begin(), full.begin() + 20);
  cut.insert(cut.end(), full.begin() + long(offsets[1]), full.end());
  write_file_atomic(file, cut);
  try {
    Journal j(file, kFingerprint, kSettings);
    FAIL("a study without its created record was opened");
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("byte offset 20") != std::string::npos);
    CHECK(what.find("not the study-created record") != std::string::npos);
  }
}
