#include "runtime/instance.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>

#include "runtime/vk_check.hpp"

namespace vkt {
namespace {

std::mutex g_messages_mutex;
std::vector<std::string> g_messages;

VKAPI_ATTR VkBool32 VKAPI_CALL on_validation_message(
    VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT,
    const VkDebugUtilsMessengerCallbackDataEXT* data, void*) {
  const char* level = severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT ? "error" : "warning";
  std::string text = std::string("validation ") + level + ": " + (data->pMessage ? data->pMessage : "");
  std::cerr << "vktrain: " << text << "\n";
  std::lock_guard lock(g_messages_mutex);
  g_messages.push_back(std::move(text));
  return VK_FALSE;  // never abort the call: the test decides what a message means
}

bool has_extension(const std::vector<VkExtensionProperties>& exts, const char* name) {
  for (const auto& e : exts)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

std::vector<VkExtensionProperties> device_extensions(VkPhysicalDevice pd) {
  uint32_t n = 0;
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> exts(n);
  vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, exts.data());
  return exts;
}

DeviceInfo describe(VkPhysicalDevice pd, uint32_t index) {
  DeviceInfo d;
  d.index = index;

  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceSubgroupSizeControlPropertiesEXT size_control{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES_EXT};
  const auto exts = device_extensions(pd);
  const bool has_size_control = has_extension(exts, VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME);
  if (has_size_control) subgroup.pNext = &size_control;
  VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &subgroup};
  vkGetPhysicalDeviceProperties2(pd, &props);
  const auto& p = props.properties;
  const auto& l = p.limits;

  d.name = p.deviceName;
  d.type = p.deviceType;
  d.vendor_id = p.vendorID;
  d.device_id = p.deviceID;
  d.driver_version = p.driverVersion;
  d.api_version = p.apiVersion;
  std::memcpy(d.pipeline_cache_uuid.data(), p.pipelineCacheUUID, VK_UUID_SIZE);

  d.subgroup_size = subgroup.subgroupSize;
  d.subgroup_arithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                          (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
  d.subgroup_shuffle = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                       (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT);
  d.subgroup_size_control = has_size_control;
  d.min_subgroup_size = has_size_control ? size_control.minSubgroupSize : d.subgroup_size;
  d.max_subgroup_size = has_size_control ? size_control.maxSubgroupSize : d.subgroup_size;

  d.max_workgroup_invocations = l.maxComputeWorkGroupInvocations;
  for (int i = 0; i < 3; ++i) {
    d.max_workgroup_size[i] = l.maxComputeWorkGroupSize[i];
    d.max_workgroup_count[i] = l.maxComputeWorkGroupCount[i];
  }
  d.shared_memory_bytes = l.maxComputeSharedMemorySize;
  d.max_storage_buffer_range = l.maxStorageBufferRange;
  d.max_texel_buffer_elements = l.maxTexelBufferElements;
  d.min_texel_buffer_offset_alignment = l.minTexelBufferOffsetAlignment;
  d.min_storage_buffer_offset_alignment = l.minStorageBufferOffsetAlignment;
  d.max_push_constants_size = l.maxPushConstantsSize;

  VkPhysicalDeviceMaintenance3Properties m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
  VkPhysicalDeviceProperties2 props_m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &m3};
  vkGetPhysicalDeviceProperties2(pd, &props_m3);
  d.max_memory_allocation_size = m3.maxMemoryAllocationSize;

  VkPhysicalDeviceMemoryProperties mem;
  vkGetPhysicalDeviceMemoryProperties(pd, &mem);
  for (uint32_t i = 0; i < mem.memoryHeapCount; ++i)
    d.heaps.push_back({mem.memoryHeaps[i].size,
                       (mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0});

  VkPhysicalDeviceFeatures core_features{};
  vkGetPhysicalDeviceFeatures(pd, &core_features);
  d.int64 = core_features.shaderInt64;

  // fp16/int8 arithmetic: core in 1.2, an extension before; ask only where it can be answered.
  if (p.apiVersion >= VK_API_VERSION_1_2 || has_extension(exts, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME)) {
    VkPhysicalDeviceShaderFloat16Int8Features f16{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &f16};
    vkGetPhysicalDeviceFeatures2(pd, &features);
    d.fp16 = f16.shaderFloat16;
    d.int8 = f16.shaderInt8;
  }

  uint32_t nq = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &nq, nullptr);
  std::vector<VkQueueFamilyProperties> queues(nq);
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &nq, queues.data());
  for (const auto& q : queues)
    if ((q.queueFlags & VK_QUEUE_COMPUTE_BIT) && q.timestampValidBits > 0) d.timestamps = true;
  d.timestamp_period_ns = l.timestampPeriod;

  VkFormatProperties fmt;
  vkGetPhysicalDeviceFormatProperties(pd, VK_FORMAT_R32G32B32A32_SFLOAT, &fmt);
  d.rgba32f_texel_buffers = (fmt.bufferFeatures & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT) != 0;
  vkGetPhysicalDeviceFormatProperties(pd, VK_FORMAT_R32_UINT, &fmt);
  d.r32ui_texel_buffers = (fmt.bufferFeatures & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT) != 0;
  return d;
}

}  // namespace

const std::vector<std::string>& validation_messages() { return g_messages; }

bool validation_requested() {
  const char* v = std::getenv("VKTRAIN_VALIDATE");
  return v && *v && std::strcmp(v, "0") != 0;
}

Instance::Instance(bool validate) {
  uint32_t n = 0;
  vkEnumerateInstanceExtensionProperties(nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> available(n);
  vkEnumerateInstanceExtensionProperties(nullptr, &n, available.data());

  std::vector<const char*> extensions;
  std::vector<const char*> layers;
  VkInstanceCreateFlags flags = 0;
  // Portability drivers (MoltenVK) are listed only when asked for.
  if (has_extension(available, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {
    extensions.push_back(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
    flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
  }
  if (validate) {
    layers.push_back("VK_LAYER_KHRONOS_validation");
    extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  }

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "vktrain";
  app.pEngineName = "vktrain";
  app.apiVersion = VK_API_VERSION_1_1;

  VkDebugUtilsMessengerCreateInfoEXT messenger_info{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  messenger_info.messageSeverity =
      VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  messenger_info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  messenger_info.pfnUserCallback = on_validation_message;

  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pNext = validate ? &messenger_info : nullptr;  // also catches messages during create/destroy
  info.flags = flags;
  info.pApplicationInfo = &app;
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  VKT_CHECK(vkCreateInstance(&info, nullptr, &instance_));

  if (validate) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
    if (!create) {
      vkDestroyInstance(instance_, nullptr);
      throw Error("validation requested but vkCreateDebugUtilsMessengerEXT is missing",
                  "install vulkan-validationlayers");
    }
    VKT_CHECK(create(instance_, &messenger_info, nullptr, &messenger_));
  }

  uint32_t count = 0;
  VKT_CHECK(vkEnumeratePhysicalDevices(instance_, &count, nullptr));
  physical_.resize(count);
  VKT_CHECK(vkEnumeratePhysicalDevices(instance_, &count, physical_.data()));
  for (uint32_t i = 0; i < count; ++i) infos_.push_back(describe(physical_[i], i));
}

Instance::~Instance() {
  if (messenger_) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy) destroy(instance_, messenger_, nullptr);
  }
  if (instance_) vkDestroyInstance(instance_, nullptr);
}

}  // namespace vkt
