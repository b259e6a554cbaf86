#pragma once
// What vktrain needs to know about a physical device, read once: identity, limits that bound
// kernel shapes and buffer sizes, and the optional features a kernel may check before use.
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vkt {

struct MemoryHeapInfo {
  uint64_t size = 0;
  bool device_local = false;
};

struct DeviceInfo {
  uint32_t index = 0;  // position in vkEnumeratePhysicalDevices
  std::string name;
  VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
  uint32_t vendor_id = 0;
  uint32_t device_id = 0;
  uint32_t driver_version = 0;  // raw, vendor-encoded
  uint32_t api_version = 0;
  std::array<uint8_t, VK_UUID_SIZE> pipeline_cache_uuid{};

  uint32_t subgroup_size = 0;
  bool subgroup_arithmetic = false;  // subgroupAdd & co. in compute shaders
  bool subgroup_shuffle = false;     // subgroupShuffle in compute shaders
  bool subgroup_size_control = false;
  uint32_t min_subgroup_size = 0, max_subgroup_size = 0;

  uint32_t max_workgroup_invocations = 0;
  std::array<uint32_t, 3> max_workgroup_size{};
  std::array<uint32_t, 3> max_workgroup_count{};
  uint32_t shared_memory_bytes = 0;
  uint64_t max_storage_buffer_range = 0;
  uint32_t max_texel_buffer_elements = 0;
  uint64_t min_texel_buffer_offset_alignment = 0;
  uint64_t min_storage_buffer_offset_alignment = 0;
  uint64_t max_memory_allocation_size = 0;
  uint32_t max_push_constants_size = 0;
  std::vector<MemoryHeapInfo> heaps;

  bool fp16 = false;  // shaderFloat16
  bool int8 = false;  // shaderInt8
  bool int64 = false;  // shaderInt64 (enabled on the device when present: shaders/uniform_store.glsl)
  bool timestamps = false;  // compute queue has timestampValidBits > 0
  float timestamp_period_ns = 0;  // nanoseconds per timestamp tick
  bool rgba32f_texel_buffers = false;  // uniform texel buffers of R32G32B32A32_SFLOAT
  bool r32ui_texel_buffers = false;    // uniform texel buffers of R32_UINT (raw words, e.g. packed bytes)

  bool supports_vulkan_1_1() const { return api_version >= VK_API_VERSION_1_1; }
  std::string type_name() const;         // "discrete", "integrated", "virtual", "cpu", "other"
  std::string vendor_name() const;       // "NVIDIA", "AMD", "Intel", "Mesa", ... or hex id
  std::string api_version_string() const;
  std::string driver_version_string() const;  // decoded the vendor's way where known
  uint64_t device_local_heap_bytes() const;   // largest device-local heap
};

}  // namespace vkt
