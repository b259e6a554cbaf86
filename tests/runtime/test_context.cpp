#include <doctest/doctest.h>

#include "runtime/context.hpp"
#include "runtime/instance.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;

TEST_CASE("context: validation layer is on under ctest") {
  // ctest runs every test with VKTRAIN_VALIDATE=1; without the layer these tests prove less.
  REQUIRE(validation_requested());
  Context ctx(test::test_context_options());
  CHECK(ctx.validating());
}

TEST_CASE("context: creates a device with a compute queue and sane limits") {
  Context ctx(test::test_context_options());
  const auto& info = ctx.info();
  CHECK(info.supports_vulkan_1_1());
  CHECK(!info.name.empty());
  CHECK(info.subgroup_size >= 1);
  CHECK(info.max_workgroup_invocations >= 128);  // Vulkan's guaranteed minimum
  CHECK(info.shared_memory_bytes >= 16384);
  CHECK(info.max_storage_buffer_range >= (1u << 27) - 1);
  CHECK(!info.heaps.empty());
  CHECK(ctx.queue() != VK_NULL_HANDLE);
}

TEST_CASE("context: device selection by index and by name") {
  const Instance instance(false);
  const auto& devices = instance.devices();
  REQUIRE(!devices.empty());
  const auto& last = devices.back();

  CHECK(choose_device(devices, std::to_string(last.index)) == last.index);
  // A name substring, in another case than the driver reports it.
  std::string part = last.name.substr(0, std::min<size_t>(5, last.name.size()));
  for (auto& c : part) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string chosen = devices[choose_device(devices, part)].name;
  std::string chosen_upper = chosen;
  for (auto& c : chosen_upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK_MESSAGE(chosen_upper.find(part) != std::string::npos, "'" << part << "' chose " << chosen);

  ContextOptions by_index = test::test_context_options();
  by_index.device = std::to_string(last.index);
  Context ctx(by_index);
  CHECK(ctx.info().name == last.name);
}

TEST_CASE("context: a name selects the first device whose name holds it, in any case") {
  std::vector<DeviceInfo> devices(3);
  const char* names[] = {"llvmpipe (LLVM 15.0.6, 256 bits)", "NVIDIA H100 80GB HBM3", "AMD Radeon RX 7900 XTX"};
  for (uint32_t i = 0; i < 3; ++i) {
    devices[i].index = i;
    devices[i].name = names[i];
    devices[i].api_version = VK_API_VERSION_1_1;
  }
  CHECK(choose_device(devices, "h100") == 1);
  CHECK(choose_device(devices, "LLVMPIPE") == 0);
  CHECK(choose_device(devices, "radeon rx") == 2);
  CHECK(choose_device(devices, "2") == 2);
  CHECK_THROWS_AS(choose_device(devices, "intel"), InputError);
  CHECK_THROWS_AS(choose_device(devices, "3"), InputError);
  devices[1].api_version = VK_API_VERSION_1_0;
  CHECK_THROWS_AS(choose_device(devices, "nvidia"), InputError);
}

TEST_CASE("context: default choice prefers a GPU over a CPU device") {
  std::vector<DeviceInfo> devices(3);
  devices[0].type = VK_PHYSICAL_DEVICE_TYPE_CPU;
  devices[1].type = VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
  devices[2].type = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
  for (uint32_t i = 0; i < 3; ++i) {
    devices[i].index = i;
    devices[i].api_version = VK_API_VERSION_1_1;
  }
  CHECK(choose_device(devices, "") == 2);
  devices[2].api_version = VK_API_VERSION_1_0;  // too old: skipped
  CHECK(choose_device(devices, "") == 1);
}

TEST_CASE("context: a device that does not exist is a clear input error") {
  ContextOptions o = test::test_context_options();
  o.device = "no-such-device-xyz";
  try {
    Context ctx(o);
    FAIL("expected an error");
  } catch (const InputError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("no-such-device-xyz") != std::string::npos);
    CHECK(msg.find("have:") != std::string::npos);
  }
  o.device = "999";
  CHECK_THROWS_AS(Context{o}, InputError);
}
