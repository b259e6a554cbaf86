#pragma once
// A Kernel is one compute pipeline made from an embedded shader: its descriptor set layout
// (set 0, one binding per entry of `bindings`), its push-constant range and its
// specialization constants.
//
// Convention shared by every shader in shaders/:
//   layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;
//   constant_id 3, 4, ... = KernelSpec::constants[0], [1], ...  (tile sizes, flags)
// Push-constant structs are mirrored in GLSL; each C++ twin is checked with
// static_assert(sizeof(P) <= kMaxPushBytes).
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vkt {

class Context;

inline constexpr uint32_t kMaxPushBytes = 128;  // the minimum every Vulkan device guarantees

enum class BindingKind {
  Storage,  // layout(std430, binding = i) buffer ...
  Texel,    // layout(binding = i) uniform samplerBuffer ... (RGBA32F, read-only, texelFetch)
};

struct KernelSpec {
  std::string shader;  // embedded shader name: file stem under shaders/
  std::vector<BindingKind> bindings;
  uint32_t push_bytes = 0;
  std::array<uint32_t, 3> local_size{64, 1, 1};
  std::vector<uint32_t> constants;  // spec constants 3, 4, ...; floats as their bit patterns
  uint32_t shared_bytes = 0;        // shared memory the shader declares, checked against the device
};

// Workgroup counts for a 1-D problem of `items` invocations: split over x and y when x alone
// would pass maxComputeWorkGroupCount[0] (65,535 on many devices). Shaders index with
// global_index_1d() from shaders/common.glsl and bounds-check, since the grid may overshoot.
std::array<uint32_t, 3> groups_1d(uint64_t items, uint32_t local_size, uint32_t max_groups_x = 65535);

class Kernel {
 public:
  Kernel() = default;
  // Throws Error if the spec exceeds a device limit (workgroup size, shared memory, push bytes).
  Kernel(Context& ctx, KernelSpec spec);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;
  Kernel(Kernel&& o) noexcept;
  Kernel& operator=(Kernel&& o) noexcept;

  const KernelSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.shader; }
  VkPipeline pipeline() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }
  VkDescriptorSetLayout set_layout() const { return set_layout_; }

 private:
  void release();

  Context* ctx_ = nullptr;
  KernelSpec spec_;
  VkShaderModule module_ = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
};

}  // namespace vkt
