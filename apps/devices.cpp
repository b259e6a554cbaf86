// `vktrain devices`: every Vulkan device this machine has, as a table or JSON.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "runtime/instance.hpp"
#include "runtime/kernel_policy.hpp"
#include "util/format.hpp"

namespace vkt::app {
namespace {

std::string heaps_text(const DeviceInfo& d) {
  std::string s;
  for (const auto& h : d.heaps) s += (s.empty() ? "" : " + ") + format_bytes(h.size) + (h.device_local ? " (local)" : "");
  return s;
}

// What kernel choice reads on this device (runtime/kernel_policy.hpp).
nlohmann::json to_json(const KernelPolicy& p) {
  nlohmann::json switches = nlohmann::json::object();
  for (const KernelSwitch& s : kernel_switches()) switches[s.name] = p.*(s.field);
  switches["gemm"] = gemm_choice_name(p.gemm);
  return {{"cpu_driver", p.cpu_driver},
          {"subgroup_size", p.subgroup_size},
          {"subgroup_shuffle", p.subgroup_shuffle},
          {"subgroup_arithmetic", p.subgroup_arithmetic},
          {"shared_memory_bytes", p.shared_memory_bytes},
          {"vec4_texels", p.vec4_texels},
          {"word_texels", p.word_texels},
          {"max_texel_elements", p.max_texel_elements},
          {"texel_offset_alignment", p.texel_offset_alignment},
          {"int64", p.int64},
          {"max_storage_buffer_range", p.max_storage_buffer_range},
          {"timestamps", p.timestamps},
          {"switches", switches}};
}

nlohmann::json to_json(const DeviceInfo& d) {
  nlohmann::json heaps = nlohmann::json::array();
  for (const auto& h : d.heaps) heaps.push_back({{"bytes", h.size}, {"device_local", h.device_local}});
  return {{"index", d.index},
          {"name", d.name},
          {"type", d.type_name()},
          {"vendor", d.vendor_name()},
          {"vendor_id", d.vendor_id},
          {"device_id", d.device_id},
          {"driver_version", d.driver_version_string()},
          {"api_version", d.api_version_string()},
          {"subgroup_size", d.subgroup_size},
          {"subgroup_arithmetic", d.subgroup_arithmetic},
          {"subgroup_shuffle", d.subgroup_shuffle},
          {"max_workgroup_invocations", d.max_workgroup_invocations},
          {"max_workgroup_size", d.max_workgroup_size},
          {"shared_memory_bytes", d.shared_memory_bytes},
          {"max_storage_buffer_range", d.max_storage_buffer_range},
          {"max_texel_buffer_elements", d.max_texel_buffer_elements},
          {"max_memory_allocation_size", d.max_memory_allocation_size},
          {"heaps", heaps},
          {"fp16", d.fp16},
          {"int8", d.int8},
          {"int64", d.int64},
          {"timestamps", d.timestamps},
          {"timestamp_period_ns", d.timestamp_period_ns},
          {"kernel_policy", to_json(kernel_policy(d))}};
}

void print_table(const std::vector<DeviceInfo>& devices) {
  if (devices.empty()) {
    std::cout << "no Vulkan devices (install mesa-vulkan-drivers for lavapipe, or your GPU's driver)\n";
    return;
  }
  for (const auto& d : devices) {
    std::printf("[%u] %s\n", d.index, d.name.c_str());
    std::printf("    type %s, vendor %s, driver %s, Vulkan %s%s\n", d.type_name().c_str(), d.vendor_name().c_str(),
                d.driver_version_string().c_str(), d.api_version_string().c_str(),
                d.supports_vulkan_1_1() ? "" : " (too old: vktrain needs 1.1)");
    std::printf("    subgroup %u%s, workgroup <= %u invocations, shared memory %s\n", d.subgroup_size,
                d.subgroup_size_control
                    ? (" (" + std::to_string(d.min_subgroup_size) + "-" + std::to_string(d.max_subgroup_size) + ")").c_str()
                    : "",
                d.max_workgroup_invocations, format_bytes(d.shared_memory_bytes).c_str());
    std::printf("    storage buffer <= %s, allocation <= %s, heaps %s\n", format_bytes(d.max_storage_buffer_range).c_str(),
                format_bytes(d.max_memory_allocation_size).c_str(), heaps_text(d).c_str());
    std::printf("    fp16 %s, int8 %s, int64 %s, timestamps %s, texel buffers %s\n", d.fp16 ? "yes" : "no",
                d.int8 ? "yes" : "no", d.int64 ? "yes" : "no",
                d.timestamps ? "yes" : "no",
                d.rgba32f_texel_buffers ? ("yes (" + std::to_string(d.max_texel_buffer_elements) + " texels)").c_str()
                                        : "no");
  }
}

}  // namespace

void add_devices_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("devices", "List the Vulkan devices vktrain can use");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print a JSON array of device objects");
  cmd->callback([json] {
    const Instance instance;
    if (*json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& d : instance.devices()) out.push_back(to_json(d));
      std::cout << out.dump(2) << "\n";
    } else {
      print_table(instance.devices());
    }
  });
}

}  // namespace vkt::app
