#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "runtime/pipeline_cache.hpp"
#include "tests/test_support.hpp"
#include "util/file_io.hpp"

using namespace vkt;
namespace fs = std::filesystem;

namespace {

// Each test case runs in its own process (ctest), so pointing XDG_CACHE_HOME at a private
// directory keeps parallel tests from sharing a cache file.
fs::path private_cache_home() {
  char tmpl[] = "/tmp/vktrain-cache-test-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  REQUIRE(dir != nullptr);
  setenv("XDG_CACHE_HOME", dir, 1);
  return dir;
}

void build_a_pipeline(Context& ctx) {
  Kernel k(ctx, {"saxpy", {BindingKind::Storage, BindingKind::Storage}, 8, {64, 1, 1}});
}

}  // namespace

TEST_CASE("pipeline cache: written on exit, loaded on the next run") {
  const fs::path home = private_cache_home();
  fs::path file;
  {
    Context ctx(test::test_context_options());
    file = ctx.pipeline_cache().path();
    CHECK(file.string().rfind((home / "vktrain").string(), 0) == 0);
    CHECK(ctx.pipeline_cache().loaded_bytes() == 0);
    build_a_pipeline(ctx);
  }
  REQUIRE(fs::exists(file));
  const auto first = read_file(file);
  {
    Context ctx(test::test_context_options());
    CHECK(ctx.pipeline_cache().rejected_reason().empty());
    CHECK(ctx.pipeline_cache().loaded_bytes() == first.size() - 56);  // all of the driver's blob
    build_a_pipeline(ctx);
  }
  fs::remove_all(home);
}

TEST_CASE("pipeline cache: a corrupt or foreign file is ignored with a reason, then replaced") {
  const fs::path home = private_cache_home();
  fs::path file;
  {
    Context ctx(test::test_context_options());
    file = ctx.pipeline_cache().path();
    build_a_pipeline(ctx);
  }
  auto bytes = read_file(file);
  REQUIRE(bytes.size() > 56);

  SUBCASE("flipped byte in the driver's data") {
    bytes.back() ^= 0x5A;
    write_file_atomic(file, bytes);
    Context ctx(test::test_context_options());
    CHECK(ctx.pipeline_cache().rejected_reason() == "CRC mismatch");
    CHECK(ctx.pipeline_cache().loaded_bytes() == 0);
    build_a_pipeline(ctx);  // still works, from scratch
  }
  SUBCASE("another driver version") {
    bytes[20] ^= 0x01;  // driver_version field of the header
    write_file_atomic(file, bytes);
    Context ctx(test::test_context_options());
    CHECK(ctx.pipeline_cache().rejected_reason() == "made by another driver version");
  }
  SUBCASE("truncated") {
    bytes.resize(bytes.size() - 1);
    write_file_atomic(file, bytes);
    Context ctx(test::test_context_options());
    CHECK(ctx.pipeline_cache().rejected_reason() == "truncated");
  }
  SUBCASE("garbage") {
    write_file_atomic(file, std::vector<uint8_t>(10, 'x'));
    Context ctx(test::test_context_options());
    CHECK(ctx.pipeline_cache().rejected_reason() == "file too short");
  }
  // The next run finds a good file again: the bad one was replaced on exit.
  {
    Context ctx(test::test_context_options());
    CHECK(ctx.pipeline_cache().rejected_reason().empty());
  }
  fs::remove_all(home);
}
