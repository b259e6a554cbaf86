#pragma once
// The one place kernel choice reads the device from: what the device offers that decides which
// kernel candidates apply, and the developer switches that turn candidates off for A/B runs.
// Context builds it once from DeviceInfo and the environment (kernel_policy()); every op and
// planner reads ctx.policy(), never DeviceInfo's type or getenv. Tests and benchmarks change
// its fields (Context::set_policy) instead of setting variables.
//
// Capabilities may be turned off (a test of a fallback route), never on: a field set true that
// the device lacks would record kernels it cannot run.
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "runtime/device_info.hpp"

namespace vkt {

// Which GEMM kernel a product takes (nn/ops/gemm.hpp): Auto lets the planner decide.
enum class GemmChoice { Auto, Texel, Tiled, Vec4, Subgroup };
// Whether kernel candidates are measured on the device (nn/plan/autotune.hpp):
//   Off     the first applicable candidate in table order, nothing measured or read;
//   Cached  winners from the cache file where it has them, else as Off;
//   Full    as Cached, and a pair the cache lacks is measured on first use and remembered.
enum class AutotuneMode { Off, Cached, Full };

struct KernelPolicy {
  // --- What the device offers (from DeviceInfo) ---
  bool cpu_driver = false;       // VK_PHYSICAL_DEVICE_TYPE_CPU: lavapipe, SwiftShader
  uint32_t subgroup_size = 0;
  bool subgroup_shuffle = false;     // subgroupShuffle in compute shaders
  bool subgroup_arithmetic = false;  // subgroupAdd & co.
  uint32_t shared_memory_bytes = 0;
  uint32_t max_workgroup_invocations = 0;
  uint32_t max_workgroup_x = 0, max_workgroup_y = 0;
  bool vec4_texels = false;  // uniform texel buffers of RGBA32F
  bool word_texels = false;  // uniform texel buffers of R32UI
  uint32_t max_texel_elements = 0;
  uint64_t texel_offset_alignment = 1;
  bool int64 = false;  // shaderInt64
  uint64_t max_storage_buffer_range = 0;
  bool timestamps = false;  // what measured selection needs

  // --- Developer switches (VKTRAIN_NO_*=1 turns one off; VKTRAIN_GEMM forces a kernel) ---
  bool fusion = true;          // conv + ReLU + pool groups, ReLU epilogues (nn/model/fusion.hpp)
  bool winograd = true;        // the Winograd F(2x2, 3x3) conv route
  bool winograd_f33 = true;    // the Winograd F(3x3, 3x3) conv route
  bool direct = true;          // the direct first-layer conv route
  bool channels_last = true;   // channels-last boundaries between convolutions
  bool gemm_shuffle = true;    // the texel GEMM's A rows shared by subgroup shuffle
  bool uniform_store = true;   // shaders/uniform_store.glsl's stores
  bool column_sum = true;      // strided_sum's 4-columns-per-invocation kernel
  GemmChoice gemm = GemmChoice::Auto;

  AutotuneMode autotune = AutotuneMode::Off;  // the CLI's --autotune sets it

  // Subgroups of exactly 8 lanes with shuffle: what llvmpipe's SIMD-8 kernels are written for
  // (the shuffled texel GEMM, the uniform stores).
  bool subgroups_of_8() const { return subgroup_size == 8 && subgroup_shuffle; }
};

// Every VKTRAIN_NO_* switch: its variable, its name in `devices --json`, and the field that
// setting it to 1 turns off.
struct KernelSwitch {
  const char* variable;
  const char* name;
  bool KernelPolicy::*field;
};
std::span<const KernelSwitch> kernel_switches();

// Reads an environment variable: getenv, or a table in tests.
using EnvLookup = std::function<const char*(const char*)>;

// The policy for `info`, with the switches from the environment. A switch takes 0 or 1
// (empty = unset); VKTRAIN_GEMM takes auto, texel, tiled, vec4 or subgroup; any other
// value, or a VKTRAIN_NO_* name that is not a switch (a typo), throws InputError naming it.
KernelPolicy kernel_policy(const DeviceInfo& info);
KernelPolicy kernel_policy(const DeviceInfo& info, const EnvLookup& env, const std::vector<std::string>& env_names);

std::string gemm_choice_name(GemmChoice g);
std::string autotune_mode_name(AutotuneMode m);
AutotuneMode parse_autotune_mode(const std::string& s);  // off|cached|full, else InputError

}  // namespace vkt
