// KernelPolicy: what the device offers, copied from DeviceInfo, and the developer switches,
// parsed once from the environment (here a table, not the process's).
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "runtime/kernel_policy.hpp"
#include "util/error.hpp"

using namespace vkt;

namespace {

DeviceInfo lavapipe_like() {
  DeviceInfo d;
  d.type = VK_PHYSICAL_DEVICE_TYPE_CPU;
  d.subgroup_size = 8;
  d.subgroup_shuffle = true;
  d.subgroup_arithmetic = true;
  d.rgba32f_texel_buffers = true;
  d.max_texel_buffer_elements = 1u << 27;
  d.min_texel_buffer_offset_alignment = 16;
  d.max_storage_buffer_range = 1ull << 31;
  d.int64 = true;
  d.timestamps = true;
  return d;
}

KernelPolicy with_env(const DeviceInfo& d, std::map<std::string, std::string> env) {
  std::vector<std::string> names;
  for (const auto& [k, v] : env) names.push_back(k);
  return kernel_policy(
      d,
      [&](const char* name) -> const char* {
        const auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
      },
      names);
}

}  // namespace

TEST_CASE("kernel policy: capabilities come from DeviceInfo, every switch on without variables") {
  const DeviceInfo d = lavapipe_like();
  const KernelPolicy p = with_env(d, {});
  CHECK(p.cpu_driver);
  CHECK(p.subgroups_of_8());
  CHECK(p.vec4_texels);
  CHECK_FALSE(p.word_texels);
  CHECK(p.max_texel_elements == d.max_texel_buffer_elements);
  CHECK(p.texel_offset_alignment == 16);
  CHECK(p.int64);
  CHECK(p.timestamps);
  CHECK(p.fusion);
  CHECK(p.winograd);
  CHECK(p.winograd_f33);
  CHECK(p.direct);
  CHECK(p.channels_last);
  CHECK(p.gemm_shuffle);
  CHECK(p.uniform_store);
  CHECK(p.column_sum);
  CHECK(p.gemm == GemmChoice::Auto);
  CHECK(p.autotune == AutotuneMode::Off);

  DeviceInfo gpu = d;
  gpu.type = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU;
  gpu.subgroup_size = 32;
  const KernelPolicy g = with_env(gpu, {});
  CHECK_FALSE(g.cpu_driver);
  CHECK_FALSE(g.subgroups_of_8());
}

TEST_CASE("kernel policy: VKTRAIN_NO_*=1 turns one switch off, =0 and empty leave it on") {
  const DeviceInfo d = lavapipe_like();
  const KernelPolicy p = with_env(d, {{"VKTRAIN_NO_FUSION", "1"}, {"VKTRAIN_NO_WINOGRAD", "0"}, {"VKTRAIN_NO_DIRECT", ""}});
  CHECK_FALSE(p.fusion);  // the raw getenv in graph.cpp once read =0 as "off" too
  CHECK(p.winograd);
  CHECK(p.direct);
  const struct {
    const char* name;
    bool KernelPolicy::*field;
  } switches[] = {{"VKTRAIN_NO_WINOGRAD_F33", &KernelPolicy::winograd_f33}, {"VKTRAIN_NO_CHANNELS_LAST", &KernelPolicy::channels_last},
                  {"VKTRAIN_NO_SHUFFLE", &KernelPolicy::gemm_shuffle}, {"VKTRAIN_NO_UNIFORM_STORE", &KernelPolicy::uniform_store},
                  {"VKTRAIN_NO_COLUMN_SUM", &KernelPolicy::column_sum}};
  for (const auto& s : switches) {
    CAPTURE(s.name);
    const KernelPolicy q = with_env(d, {{s.name, "1"}});
    CHECK_FALSE(q.*(s.field));
    CHECK(q.fusion);
  }
  CHECK(with_env(d, {{"VKTRAIN_GEMM", "tiled"}}).gemm == GemmChoice::Tiled);
  CHECK(with_env(d, {{"VKTRAIN_GEMM", "texel"}}).gemm == GemmChoice::Texel);
  CHECK(with_env(d, {{"VKTRAIN_GEMM", "vec4"}}).gemm == GemmChoice::Vec4);
  CHECK(with_env(d, {{"VKTRAIN_GEMM", "subgroup"}}).gemm == GemmChoice::Subgroup);
  CHECK(with_env(d, {{"VKTRAIN_GEMM", "auto"}}).gemm == GemmChoice::Auto);
}

TEST_CASE("kernel policy: an unknown value or switch name is an error that names it") {
  const DeviceInfo d = lavapipe_like();
  const auto message = [&](std::map<std::string, std::string> env) {
    try {
      with_env(d, env);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message({{"VKTRAIN_NO_WINOGRAD", "yes"}}).find("VKTRAIN_NO_WINOGRAD=yes") != std::string::npos);
  CHECK(message({{"VKTRAIN_GEMM", "fast"}}).find("VKTRAIN_GEMM=fast") != std::string::npos);
  // The naive kernel lives in the kernel lab (dev/kernels/gemm), not in the library.
  CHECK(message({{"VKTRAIN_GEMM", "naive"}}).find("takes auto, texel, tiled, vec4 or subgroup") != std::string::npos);
  CHECK(message({{"VKTRAIN_NO_WINOGARD", "1"}}).find("VKTRAIN_NO_WINOGARD is not a vktrain switch") != std::string::npos);
  // Other VKTRAIN_ variables (a trial's parameters, the test device) are not switches.
  CHECK(message({{"VKTRAIN_PARAM_lr", "0.1"}, {"VKTRAIN_TEST_DEVICE", "0"}}) == "no error");
}

TEST_CASE("kernel policy: --autotune values") {
  CHECK(parse_autotune_mode("off") == AutotuneMode::Off);
  CHECK(parse_autotune_mode("cached") == AutotuneMode::Cached);
  CHECK(parse_autotune_mode("full") == AutotuneMode::Full);
  CHECK_THROWS_AS(parse_autotune_mode("on"), InputError);
  for (AutotuneMode m : {AutotuneMode::Off, AutotuneMode::Cached, AutotuneMode::Full})
    CHECK(parse_autotune_mode(autotune_mode_name(m)) == m);
}
