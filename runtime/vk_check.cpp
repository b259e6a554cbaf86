#include "runtime/vk_check.hpp"

#include <string>

namespace vkt {

const char* vk_result_name(VkResult r) {
  switch (r) {
#define VKT_CASE(x) \
  case x:           \
    return #x;
    VKT_CASE(VK_SUCCESS)
    VKT_CASE(VK_NOT_READY)
    VKT_CASE(VK_TIMEOUT)
    VKT_CASE(VK_INCOMPLETE)
    VKT_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
    VKT_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    VKT_CASE(VK_ERROR_INITIALIZATION_FAILED)
    VKT_CASE(VK_ERROR_DEVICE_LOST)
    VKT_CASE(VK_ERROR_MEMORY_MAP_FAILED)
    VKT_CASE(VK_ERROR_LAYER_NOT_PRESENT)
    VKT_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
    VKT_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
    VKT_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
    VKT_CASE(VK_ERROR_TOO_MANY_OBJECTS)
    VKT_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
    VKT_CASE(VK_ERROR_FRAGMENTED_POOL)
    VKT_CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
    VKT_CASE(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    VKT_CASE(VK_ERROR_FRAGMENTATION)
    VKT_CASE(VK_ERROR_UNKNOWN)
#undef VKT_CASE
    default:
      return "VK_RESULT_UNKNOWN";
  }
}

static const char* hint_for(VkResult r) {
  switch (r) {
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_OUT_OF_HOST_MEMORY:
      return "the device ran out of memory: try a smaller batch or model";
    case VK_ERROR_INITIALIZATION_FAILED:
    case VK_ERROR_INCOMPATIBLE_DRIVER:
      return "no usable Vulkan driver: install mesa-vulkan-drivers (lavapipe) or your GPU's driver";
    case VK_ERROR_LAYER_NOT_PRESENT:
      return "VKTRAIN_VALIDATE=1 needs the Khronos validation layer: install vulkan-validationlayers";
    case VK_ERROR_EXTENSION_NOT_PRESENT:
    case VK_ERROR_FEATURE_NOT_PRESENT:
      return "the device lacks a required feature: choose another with --device";
    case VK_ERROR_DEVICE_LOST:
      return "the driver lost the device (a crash or a timeout in a kernel): rerun, or try another --device";
    default:
      return "";
  }
}

// VKT_CHECK passes the whole call expression; the message names only the function.
static std::string function_name(const char* call) {
  std::string s(call);
  return s.substr(0, s.find('('));
}

VulkanError::VulkanError(const char* call, VkResult result)
    : Error(function_name(call) + " failed: " + vk_result_name(result), hint_for(result)),
      result_(result) {}

}  // namespace vkt
