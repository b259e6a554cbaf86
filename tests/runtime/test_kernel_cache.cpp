// The kernel cache file: found again by the same device, driver and binary; ignored (and
// replaced) when any of them changes or the file is damaged; written atomically, merging what
// another process wrote.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/kernel_cache.hpp"
#include "tests/temp_dir.hpp"

using namespace vkt;
namespace fs = std::filesystem;

namespace {

KernelCacheIdentity identity(uint32_t driver = 7, uint64_t candidates = 0x1234) {
  DeviceInfo d;
  d.vendor_id = 0x10de;
  d.device_id = 0x2335;
  d.driver_version = driver;
  d.pipeline_cache_uuid[0] = 0xab;
  return KernelCacheIdentity::of(d, candidates);
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST_CASE("kernel cache: a remembered winner is found by the next run on the same device, driver and binary") {
  test::TempDir dir;
  const fs::path file = dir.path() / "kernels.json";
  {
    KernelCache c(file, identity());
    CHECK(c.size() == 0);
    CHECK(c.rejected_reason().empty());
    c.remember("conv2d a", {"winograd", {{"winograd", {{"ms", 1.5}}}}});
  }
  KernelCache again(file, identity());
  CHECK(again.rejected_reason().empty());
  const auto hit = again.find("conv2d a");
  REQUIRE(hit);
  CHECK(hit->winner == "winograd");
  CHECK(hit->detail["winograd"]["ms"] == 1.5);
  CHECK_FALSE(again.find("conv2d b"));
}

TEST_CASE("kernel cache: another driver version, candidate set or device measures again") {
  test::TempDir dir;
  const fs::path file = dir.path() / "kernels.json";
  KernelCache(file, identity()).remember("k", {"direct", {}});
  const auto reason = [&](const KernelCacheIdentity& id) {
    KernelCache c(file, id);
    CHECK_FALSE(c.find("k"));
    return c.rejected_reason();
  };
  CHECK(reason(identity(8)) == "made for another driver version");
  CHECK(reason(identity(7, 0x9999)).find("another candidate set") != std::string::npos);
  KernelCacheIdentity other_uuid = identity();
  other_uuid.pipeline_cache_uuid[0] = '0';
  CHECK(reason(other_uuid).find("another device") != std::string::npos);
  // What the new driver measures replaces the old file.
  KernelCache(file, identity(8)).remember("k", {"im2col", {}});
  CHECK(KernelCache(file, identity(8)).find("k")->winner == "im2col");
  CHECK_FALSE(KernelCache(file, identity(7)).find("k"));
}

TEST_CASE("kernel cache: a damaged file is ignored with its reason and rewritten whole") {
  test::TempDir dir;
  const fs::path file = dir.path() / "kernels.json";
  KernelCache(file, identity()).remember("k", {"direct", {}});
  const std::string good = slurp(file);
  for (const std::string& bad : {good.substr(0, good.size() / 2), std::string("\x00\x01garbage", 9),
                                 std::string(100000, '[') + std::string(100000, ']'), std::string("{\"format\": 3}"),
                                 std::string("[]")}) {
    write(file, bad);
    KernelCache c(file, identity());
    CHECK_FALSE(c.rejected_reason().empty());
    CHECK_FALSE(c.find("k"));
    c.remember("k2", {"winograd", {}});
    KernelCache reread(file, identity());
    CHECK(reread.rejected_reason().empty());
    CHECK(reread.find("k2")->winner == "winograd");
  }
}

TEST_CASE("kernel cache: writing keeps what another process wrote since this one read the file") {
  test::TempDir dir;
  const fs::path file = dir.path() / "kernels.json";
  KernelCache a(file, identity()), b(file, identity());
  a.remember("from a", {"direct", {}});
  b.remember("from b", {"winograd", {}});
  KernelCache c(file, identity());
  CHECK(c.find("from a")->winner == "direct");
  CHECK(c.find("from b")->winner == "winograd");
  // persist = false never touches the file.
  KernelCache memory(file, identity(), false);
  memory.remember("memory", {"im2col", {}});
  CHECK(memory.find("memory"));
  CHECK_FALSE(KernelCache(file, identity()).find("memory"));
}
