#pragma once
// A Context is one Vulkan device ready for compute: the instance, the chosen physical device,
// a logical device with one compute queue, a command pool, the memory allocator and the
// persisted pipeline cache. Buffers, kernels and streams refer to their Context, so it is
// neither copyable nor movable: keep it alive (on the stack or in a unique_ptr) while they are.
#include <vulkan/vulkan.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/device_info.hpp"
#include "runtime/instance.hpp"
#include "runtime/kernel_policy.hpp"

namespace vkt {

class Allocator;
class Kernel;
class KernelCache;
class PipelineCache;
struct KernelSpec;

struct ContextOptions {
  // "" picks the best device (discrete > integrated > virtual > cpu); a number is an index
  // into `vktrain devices`; anything else is a case-insensitive substring of the name.
  std::string device;
  bool validate = validation_requested();
  bool persist_pipeline_cache = true;  // and the kernel cache (runtime/kernel_cache.hpp)
  AutotuneMode autotune = AutotuneMode::Off;  // KernelPolicy::autotune (the CLI's --autotune)
};

// Which device `selector` names among `devices`, by the rules of ContextOptions::device.
// Throws InputError listing the devices when nothing matches.
uint32_t choose_device(const std::vector<DeviceInfo>& devices, const std::string& selector);

class Context {
 public:
  explicit Context(const ContextOptions& options = {});
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const DeviceInfo& info() const { return info_; }
  // What kernel choice reads (runtime/kernel_policy.hpp): built from info() and the
  // environment when the Context is made. set_policy() is for the CLI's --autotune and for
  // tests and benchmarks that turn a candidate off; call it before recording.
  const KernelPolicy& policy() const { return policy_; }
  void set_policy(const KernelPolicy& p) { policy_ = p; }
  VkDevice device() const { return device_; }
  VkPhysicalDevice physical_device() const { return physical_; }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  VkCommandPool command_pool() const { return command_pool_; }
  Allocator& allocator() { return *allocator_; }
  PipelineCache& pipeline_cache() { return *pipeline_cache_; }
  bool validating() const { return instance_->validating(); }

  // The kernel for `spec`, created on first use and kept for the Context's life: ops ask for
  // their pipelines by spec on every recording, and building one costs milliseconds.
  const Kernel& kernel(const KernelSpec& spec);
  // The specs of every kernel kernel() has made, in no order: what a plan ran (tests).
  std::vector<KernelSpec> kernel_specs() const;

  // The measured kernel choices for this device (runtime/kernel_cache.hpp), read on first use.
  // `candidates` is the checksum of the candidate set the caller measures (nn/plan/).
  KernelCache& kernel_cache(uint64_t candidates);

  // Records `record` into a fresh command buffer, submits it and waits: for one-time
  // transfers (staging uploads), never for the training step.
  void run_once(const std::function<void(VkCommandBuffer)>& record);

 private:
  std::unique_ptr<Instance> instance_;
  DeviceInfo info_;
  KernelPolicy policy_;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  VkCommandPool command_pool_ = VK_NULL_HANDLE;
  std::unique_ptr<Allocator> allocator_;
  std::unique_ptr<PipelineCache> pipeline_cache_;
  bool persist_caches_ = true;
  std::unique_ptr<KernelCache> kernel_cache_;
  std::mutex kernel_cache_mutex_;
  std::map<std::string, std::unique_ptr<Kernel>> kernels_;
  mutable std::mutex kernels_mutex_;
};

}  // namespace vkt
