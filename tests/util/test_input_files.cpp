// The two roots every reader and writer of user files goes through: the depth-limited JSON
// parse (util/json_input.hpp) and the file helpers that check a path's kind before reading or
// replacing it (util/file_io.hpp).
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "tests/temp_dir.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"
#include "util/json_input.hpp"

using namespace vkt;
namespace fs = std::filesystem;

namespace {

std::string input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not an InputError) ") + e.what();
  }
  return "(no error)";
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("json input: 100000 levels of nesting are refused in one line, the limit itself is accepted") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string e = input_error([&] { parse_json(deep, "deep.json"); });
  CHECK(e == "deep.json: nested deeper than 64 levels");
  CHECK(!try_parse_json(deep));
  const std::string at_limit = std::string(64, '[') + std::string(64, ']');
  CHECK(parse_json(at_limit, "ok.json").is_array());
  const std::string object_deep = [] {
    std::string s;
    for (int i = 0; i < 65; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(65, '}');
    return s;
  }();
  CHECK(input_error([&] { parse_json(object_deep, "o.json"); }).find("nested deeper") != std::string::npos);
}

TEST_CASE("json input: a syntax error and a number beyond double name the source, without the library's codes") {
  const std::string syntax = input_error([] { parse_json("{\"x\": 1,}", "space.json"); });
  CHECK(syntax.rfind("space.json: not valid JSON: ", 0) == 0);
  CHECK(syntax.find("[json.exception") == std::string::npos);
  const std::string big = input_error([] { parse_json("{\"x\": 1e999}", "model.json"); });
  CHECK(big.rfind("model.json: ", 0) == 0);
  CHECK(big.find("1e999") != std::string::npos);
  CHECK(big.find("[json.exception") == std::string::npos);
}

TEST_CASE("file io: a directory, a device and a missing file are refused by name when read") {
  test::TempDir dir;
  CHECK(input_error([&] { read_file(dir.path()); }) == dir.path().string() + ": is a directory, not a file");
  CHECK(input_error([] { read_file("/dev/null"); }) == "/dev/null: is not a regular file");
  CHECK(input_error([&] { read_file(dir / "missing"); }).find("missing: cannot open") != std::string::npos);
  const fs::path f = dir / "f.bin";
  write_file_atomic(f, bytes_of("hello"));
  const auto back = read_file(f);
  CHECK(std::string(back.begin(), back.end()) == "hello");
}

TEST_CASE("file io: outputs that cannot be written are refused before any work, and never replace a non-file") {
  test::TempDir dir;
  CHECK(input_error([] { check_writable_target(""); }) == "an output path is empty");
  CHECK(input_error([&] { check_writable_target(dir.path()); }).find("is a directory") != std::string::npos);
  CHECK(input_error([] { check_writable_target("/dev/full"); }).find("not a regular file") != std::string::npos);
  CHECK(input_error([&] { check_writable_target(dir / std::string(256, 'n')); }).find("longer than 255") !=
        std::string::npos);
  CHECK(input_error([] { check_writable_target("/proc/vktrain-test/x"); }).find("(no error)") == std::string::npos);
  const fs::path file = dir / "plain";
  write_file_atomic(file, bytes_of("a"));
  CHECK(input_error([&] { check_writable_target(dir / "plain" / "below"); }).find("not a directory") !=
        std::string::npos);
  CHECK_NOTHROW(check_writable_target(file));
  CHECK_NOTHROW(check_writable_target(dir / "new" / "sub" / "file"));  // made when written
  // Relative, in a directory still to be made (`tune --study s.vkts` checkpoints to
  // s.vkts.checkpoints/): the nearest existing ancestor is the working directory.
  {
    const fs::path cwd = fs::current_path();
    fs::current_path(dir.path());
    CHECK_NOTHROW(check_writable_target("s.vkts.checkpoints/trial-0.state"));
    CHECK_NOTHROW(check_writable_target("a/b/c"));
    CHECK(input_error([] { check_writable_target("plain/below"); }).find("not a directory") != std::string::npos);
    // A working directory removed under the process: refused in one line, not a hang.
    fs::create_directory(dir / "gone");
    fs::current_path(dir / "gone");
    fs::remove(dir / "gone");
    CHECK(input_error([] { check_writable_target("x/y"); }).find("x/y: cannot create directories in .") != std::string::npos);
    fs::current_path(cwd);
  }
  // The refused write leaves the device alone.
  CHECK(input_error([] { write_file_atomic("/dev/full", bytes_of("x")); }).find("not a regular file") !=
        std::string::npos);
  CHECK(fs::is_character_file("/dev/full"));
}

TEST_CASE("file io: a writer's temp file left by a dead process is removed by the next write, a live one's stays") {
  test::TempDir dir;
  const fs::path target = dir / "state.bin";
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  const fs::path stale = target.string() + ".tmp." + std::to_string(child);
  const fs::path live = target.string() + ".tmp." + std::to_string(::getppid());  // our parent is alive
  std::ofstream(stale) << "half";
  std::ofstream(live) << "busy";
  std::ofstream(dir / "state.bin.tmp.notapid") << "other";
  write_file_atomic(target, bytes_of("whole"));
  CHECK(!fs::exists(stale));
  CHECK(fs::exists(live));
  CHECK(fs::exists(dir / "state.bin.tmp.notapid"));
  CHECK(fs::file_size(target) == 5);
}
