#pragma once
// The Vulkan instance: loads the driver(s), optionally the Khronos validation layer, and
// describes every physical device. Separate from Context so `vktrain devices` can list
// devices without creating any of them.
#include <vulkan/vulkan.h>

#include <string>
#include <vector>

#include "runtime/device_info.hpp"

namespace vkt {

// Validation messages seen by any Instance of this process (warnings and errors).
// Tests fail if this is not empty at exit.
const std::vector<std::string>& validation_messages();

// VKTRAIN_VALIDATE=1 in the environment turns the validation layer on.
bool validation_requested();

class Instance {
 public:
  explicit Instance(bool validate = validation_requested());
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  Instance(Instance&&) = delete;
  Instance& operator=(Instance&&) = delete;

  VkInstance handle() const { return instance_; }
  bool validating() const { return messenger_ != VK_NULL_HANDLE; }
  const std::vector<VkPhysicalDevice>& physical_devices() const { return physical_; }
  const std::vector<DeviceInfo>& devices() const { return infos_; }

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  std::vector<VkPhysicalDevice> physical_;
  std::vector<DeviceInfo> infos_;
};

}  // namespace vkt
