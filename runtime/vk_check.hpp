#pragma once
// Every VkResult goes through VKT_CHECK: a failure throws VulkanError naming the call, the
// result and a hint on what to do about it.
#include <vulkan/vulkan.h>

#include "util/error.hpp"

namespace vkt {

class VulkanError : public Error {
 public:
  VulkanError(const char* call, VkResult result);
  VkResult result() const { return result_; }

 private:
  VkResult result_;
};

const char* vk_result_name(VkResult result);

inline void check_vk(VkResult result, const char* call) {
  if (result < 0) throw VulkanError(call, result);
}

}  // namespace vkt

#define VKT_CHECK(call) ::vkt::check_vk((call), #call)
