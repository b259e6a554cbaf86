#include "runtime/context.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "runtime/allocator.hpp"
#include "runtime/kernel.hpp"
#include "runtime/kernel_cache.hpp"
#include "runtime/pipeline_cache.hpp"
#include "runtime/vk_check.hpp"

namespace vkt {
namespace {

int type_rank(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string device_list(const std::vector<DeviceInfo>& devices) {
  std::string s;
  for (const auto& d : devices) s += (s.empty() ? "" : ", ") + std::to_string(d.index) + ": " + d.name;
  return s.empty() ? "none" : s;
}

}  // namespace

uint32_t choose_device(const std::vector<DeviceInfo>& devices, const std::string& selector) {
  if (devices.empty())
    throw Error("no Vulkan device found",
                "install mesa-vulkan-drivers (lavapipe, the CPU driver) or your GPU's driver");
  if (selector.empty()) {
    const DeviceInfo* best = nullptr;
    for (const auto& d : devices)
      if (d.supports_vulkan_1_1() && (!best || type_rank(d.type) < type_rank(best->type))) best = &d;
    if (!best) throw Error("no Vulkan 1.1 device found (have: " + device_list(devices) + ")");
    return best->index;
  }
  const bool numeric = std::all_of(selector.begin(), selector.end(), [](unsigned char c) { return std::isdigit(c); });
  const DeviceInfo* found = nullptr;
  if (numeric) {
    const unsigned long i = std::stoul(selector);
    if (i < devices.size()) found = &devices[i];
  } else {
    for (const auto& d : devices)
      if (lower(d.name).find(lower(selector)) != std::string::npos) {
        found = &d;
        break;
      }
  }
  if (!found)
    throw InputError("no Vulkan device matches --device '" + selector + "' (have: " + device_list(devices) + ")",
                     "run `vktrain devices` to list them");
  if (!found->supports_vulkan_1_1())
    throw InputError("device " + std::to_string(found->index) + " (" + found->name + ") supports only Vulkan " +
                     found->api_version_string() + "; vktrain needs 1.1");
  return found->index;
}

Context::Context(const ContextOptions& options) : instance_(std::make_unique<Instance>(options.validate)) {
  const uint32_t index = choose_device(instance_->devices(), options.device);
  physical_ = instance_->physical_devices()[index];
  info_ = instance_->devices()[index];
  policy_ = kernel_policy(info_);
  policy_.autotune = options.autotune;

  uint32_t nq = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical_, &nq, nullptr);
  std::vector<VkQueueFamilyProperties> families(nq);
  vkGetPhysicalDeviceQueueFamilyProperties(physical_, &nq, families.data());
  // Prefer a compute family that can also time itself; a compute-only family is as good.
  int chosen = -1;
  for (uint32_t i = 0; i < nq; ++i) {
    if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
    if (chosen < 0 || (families[i].timestampValidBits > 0 && families[chosen].timestampValidBits == 0))
      chosen = static_cast<int>(i);
  }
  if (chosen < 0) throw Error(info_.name + " has no compute queue");
  queue_family_ = static_cast<uint32_t>(chosen);
  info_.timestamps = families[queue_family_].timestampValidBits > 0;

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = queue_family_;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;
  VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  device_info.queueCreateInfoCount = 1;
  device_info.pQueueCreateInfos = &queue_info;
  // The one optional feature turned on: 64-bit integers, where the device has them, for the
  // uniform stores of two floats at a time (shaders/uniform_store.glsl; DeviceInfo::int64).
  VkPhysicalDeviceFeatures enabled{};
  enabled.shaderInt64 = info_.int64 ? VK_TRUE : VK_FALSE;
  device_info.pEnabledFeatures = &enabled;
  VKT_CHECK(vkCreateDevice(physical_, &device_info, nullptr, &device_));
  vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

  VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool_info.queueFamilyIndex = queue_family_;
  VKT_CHECK(vkCreateCommandPool(device_, &pool_info, nullptr, &command_pool_));

  allocator_ = std::make_unique<Allocator>(*this);
  pipeline_cache_ = std::make_unique<PipelineCache>(*this, options.persist_pipeline_cache);
  persist_caches_ = options.persist_pipeline_cache;
}

Context::~Context() {
  if (device_) vkDeviceWaitIdle(device_);
  if (pipeline_cache_) {
    try {
      pipeline_cache_->save();
    } catch (const std::exception& e) {
      std::cerr << "vktrain: warning: pipeline cache not saved: " << e.what() << "\n";
    }
  }
  kernels_.clear();
  pipeline_cache_.reset();
  allocator_.reset();
  if (command_pool_) vkDestroyCommandPool(device_, command_pool_, nullptr);
  if (device_) vkDestroyDevice(device_, nullptr);
}

KernelCache& Context::kernel_cache(uint64_t candidates) {
  std::lock_guard lock(kernel_cache_mutex_);
  const KernelCacheIdentity id = KernelCacheIdentity::of(info_, candidates);
  if (!kernel_cache_) kernel_cache_ = std::make_unique<KernelCache>(KernelCache::default_file(info_), id, persist_caches_);
  return *kernel_cache_;
}

const Kernel& Context::kernel(const KernelSpec& spec) {
  std::string key = spec.shader;
  for (auto b : spec.bindings) key += b == BindingKind::Texel ? ":t" : ":s";
  key += "/" + std::to_string(spec.push_bytes) + "/" + std::to_string(spec.shared_bytes);
  for (auto v : spec.local_size) key += "," + std::to_string(v);
  for (auto v : spec.constants) key += "," + std::to_string(v);
  std::lock_guard lock(kernels_mutex_);
  auto& slot = kernels_[key];
  if (!slot) slot = std::make_unique<Kernel>(*this, spec);
  return *slot;
}

std::vector<KernelSpec> Context::kernel_specs() const {
  std::lock_guard lock(kernels_mutex_);
  std::vector<KernelSpec> out;
  for (const auto& [key, kernel] : kernels_) out.push_back(kernel->spec());
  return out;
}

void Context::run_once(const std::function<void(VkCommandBuffer)>& record) {
  VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  alloc.commandPool = command_pool_;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  VkCommandBuffer cmd;
  VKT_CHECK(vkAllocateCommandBuffers(device_, &alloc, &cmd));
  VkFence fence = VK_NULL_HANDLE;
  try {
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VKT_CHECK(vkBeginCommandBuffer(cmd, &begin));
    record(cmd);
    VKT_CHECK(vkEndCommandBuffer(cmd));
    VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VKT_CHECK(vkCreateFence(device_, &fence_info, nullptr, &fence));
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    VKT_CHECK(vkQueueSubmit(queue_, 1, &submit, fence));
    VKT_CHECK(vkWaitForFences(device_, 1, &fence, VK_TRUE, UINT64_MAX));
  } catch (...) {
    if (fence) vkDestroyFence(device_, fence, nullptr);
    vkFreeCommandBuffers(device_, command_pool_, 1, &cmd);
    throw;
  }
  vkDestroyFence(device_, fence, nullptr);
  vkFreeCommandBuffers(device_, command_pool_, 1, &cmd);
}

}  // namespace vkt
