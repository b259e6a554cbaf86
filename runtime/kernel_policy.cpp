#include "runtime/kernel_policy.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "util/error.hpp"

extern char** environ;

namespace vkt {
namespace {


constexpr std::array<KernelSwitch, 8> kSwitches{{
    {"VKTRAIN_NO_FUSION", "fusion", &KernelPolicy::fusion},
    {"VKTRAIN_NO_WINOGRAD", "winograd", &KernelPolicy::winograd},
    {"VKTRAIN_NO_WINOGRAD_F33", "winograd_f33", &KernelPolicy::winograd_f33},
    {"VKTRAIN_NO_DIRECT", "direct", &KernelPolicy::direct},
    {"VKTRAIN_NO_CHANNELS_LAST", "channels_last", &KernelPolicy::channels_last},
    {"VKTRAIN_NO_SHUFFLE", "gemm_shuffle", &KernelPolicy::gemm_shuffle},
    {"VKTRAIN_NO_UNIFORM_STORE", "uniform_store", &KernelPolicy::uniform_store},
    {"VKTRAIN_NO_COLUMN_SUM", "column_sum", &KernelPolicy::column_sum},
}};

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::vector<std::string> process_env_names() {
  std::vector<std::string> names;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    names.emplace_back(*e, eq ? size_t(eq - *e) : std::strlen(*e));
  }
  return names;
}

}  // namespace

std::span<const KernelSwitch> kernel_switches() { return kSwitches; }

KernelPolicy kernel_policy(const DeviceInfo& info) {
  return kernel_policy(info, [](const char* n) { return std::getenv(n); }, process_env_names());
}

KernelPolicy kernel_policy(const DeviceInfo& info, const EnvLookup& env, const std::vector<std::string>& env_names) {
  KernelPolicy p;
  p.cpu_driver = info.type == VK_PHYSICAL_DEVICE_TYPE_CPU;
  p.subgroup_size = info.subgroup_size;
  p.subgroup_shuffle = info.subgroup_shuffle;
  p.subgroup_arithmetic = info.subgroup_arithmetic;
  p.shared_memory_bytes = info.shared_memory_bytes;
  p.max_workgroup_invocations = info.max_workgroup_invocations;
  p.max_workgroup_x = info.max_workgroup_size[0];
  p.max_workgroup_y = info.max_workgroup_size[1];
  p.vec4_texels = info.rgba32f_texel_buffers;
  p.word_texels = info.r32ui_texel_buffers;
  p.max_texel_elements = info.max_texel_buffer_elements;
  p.texel_offset_alignment = std::max<uint64_t>(info.min_texel_buffer_offset_alignment, 1);
  p.int64 = info.int64;
  p.max_storage_buffer_range = info.max_storage_buffer_range;
  p.timestamps = info.timestamps;

  for (const std::string& name : env_names) {
    if (!starts_with(name, "VKTRAIN_NO_")) continue;
    bool known = false;
    for (const KernelSwitch& s : kSwitches) known = known || name == s.variable;
    if (!known) {
      std::string list;
      for (const KernelSwitch& s : kSwitches) list += (list.empty() ? "" : ", ") + std::string(s.variable);
      throw InputError(name + " is not a vktrain switch", "the switches are " + list);
    }
  }
  for (const KernelSwitch& s : kSwitches) {
    const char* v = env(s.variable);
    if (!v || !*v || std::strcmp(v, "0") == 0) continue;
    if (std::strcmp(v, "1") != 0)
      throw InputError(std::string(s.variable) + "=" + v + ": a switch takes 1 (off) or 0 (on)");
    p.*(s.field) = false;
  }
  if (const char* g = env("VKTRAIN_GEMM"); g && *g) {
    const std::string v = g;
    if (v == "auto") p.gemm = GemmChoice::Auto;
    else if (v == "texel") p.gemm = GemmChoice::Texel;
    else if (v == "tiled") p.gemm = GemmChoice::Tiled;
    else if (v == "vec4") p.gemm = GemmChoice::Vec4;
    else if (v == "subgroup") p.gemm = GemmChoice::Subgroup;
    else throw InputError("VKTRAIN_GEMM=" + v + ": takes auto, texel, tiled, vec4 or subgroup");
  }
  return p;
}

std::string gemm_choice_name(GemmChoice g) {
  switch (g) {
    case GemmChoice::Texel: return "texel";
    case GemmChoice::Tiled: return "tiled";
    case GemmChoice::Vec4: return "vec4";
    case GemmChoice::Subgroup: return "subgroup";
    default: return "auto";
  }
}

std::string autotune_mode_name(AutotuneMode m) {
  switch (m) {
    case AutotuneMode::Cached: return "cached";
    case AutotuneMode::Full: return "full";
    default: return "off";
  }
}

AutotuneMode parse_autotune_mode(const std::string& s) {
  if (s == "off") return AutotuneMode::Off;
  if (s == "cached") return AutotuneMode::Cached;
  if (s == "full") return AutotuneMode::Full;
  throw InputError("--autotune " + s + ": takes off, cached or full");
}

}  // namespace vkt
