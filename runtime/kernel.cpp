#include "runtime/kernel.hpp"

#include <algorithm>
#include <utility>

#include "runtime/context.hpp"
#include "runtime/pipeline_cache.hpp"
#include "runtime/shaders.hpp"
#include "runtime/vk_check.hpp"

namespace vkt {

std::array<uint32_t, 3> groups_1d(uint64_t items, uint32_t local_size, uint32_t max_groups_x) {
  const uint64_t groups = (items + local_size - 1) / local_size;
  if (groups <= max_groups_x) return {static_cast<uint32_t>(groups), 1, 1};
  const uint64_t rows = (groups + max_groups_x - 1) / max_groups_x;
  return {static_cast<uint32_t>((groups + rows - 1) / rows), static_cast<uint32_t>(rows), 1};
}

Kernel::Kernel(Context& ctx, KernelSpec spec) : ctx_(&ctx), spec_(std::move(spec)) {
  const auto& info = ctx.info();
  // The limits are the policy's: the device's own, or a smaller device it describes (a test of
  // an edge device's limits on this one), so that a kernel over them fails here too.
  const KernelPolicy& p = ctx.policy();
  const std::array<uint32_t, 3> max_size{std::min(info.max_workgroup_size[0], p.max_workgroup_x),
                                         std::min(info.max_workgroup_size[1], p.max_workgroup_y),
                                         info.max_workgroup_size[2]};
  const uint32_t max_invocations = std::min(info.max_workgroup_invocations, p.max_workgroup_invocations);
  const uint32_t max_shared = std::min(info.shared_memory_bytes, p.shared_memory_bytes);
  const auto& ls = spec_.local_size;
  const uint64_t invocations = uint64_t(ls[0]) * ls[1] * ls[2];
  for (int i = 0; i < 3; ++i)
    if (ls[i] == 0 || ls[i] > max_size[i])
      throw Error("kernel " + spec_.shader + ": workgroup size " + std::to_string(ls[i]) + " in dimension " +
                  std::to_string(i) + " exceeds the device limit " + std::to_string(max_size[i]));
  if (invocations > max_invocations)
    throw Error("kernel " + spec_.shader + ": " + std::to_string(invocations) +
                " invocations per workgroup exceed the device limit " + std::to_string(max_invocations));
  if (spec_.shared_bytes > max_shared)
    throw Error("kernel " + spec_.shader + ": needs " + std::to_string(spec_.shared_bytes) +
                " bytes of shared memory, the device has " + std::to_string(max_shared));
  if (spec_.push_bytes > kMaxPushBytes || spec_.push_bytes > info.max_push_constants_size)
    throw Error("kernel " + spec_.shader + ": " + std::to_string(spec_.push_bytes) + " push-constant bytes is too many");
  for (auto b : spec_.bindings)
    if (b == BindingKind::Texel && !info.rgba32f_texel_buffers)
      throw Error("kernel " + spec_.shader + " reads RGBA32F texel buffers, which " + info.name + " lacks");

  try {
    const auto words = embedded_shader(spec_.shader);
    VkShaderModuleCreateInfo mi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    mi.codeSize = words.size_bytes();
    mi.pCode = words.data();
    VKT_CHECK(vkCreateShaderModule(ctx.device(), &mi, nullptr, &module_));

    std::vector<VkDescriptorSetLayoutBinding> bindings;
    for (uint32_t i = 0; i < spec_.bindings.size(); ++i)
      bindings.push_back({i,
                          spec_.bindings[i] == BindingKind::Texel ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
                                                                  : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                          1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
    VkDescriptorSetLayoutCreateInfo li{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    li.bindingCount = static_cast<uint32_t>(bindings.size());
    li.pBindings = bindings.data();
    VKT_CHECK(vkCreateDescriptorSetLayout(ctx.device(), &li, nullptr, &set_layout_));

    const VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, spec_.push_bytes};
    VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    pli.setLayoutCount = 1;
    pli.pSetLayouts = &set_layout_;
    pli.pushConstantRangeCount = spec_.push_bytes ? 1 : 0;
    pli.pPushConstantRanges = &push;
    VKT_CHECK(vkCreatePipelineLayout(ctx.device(), &pli, nullptr, &layout_));

    std::vector<uint32_t> values = {ls[0], ls[1], ls[2]};
    values.insert(values.end(), spec_.constants.begin(), spec_.constants.end());
    std::vector<VkSpecializationMapEntry> entries;
    for (uint32_t i = 0; i < values.size(); ++i) entries.push_back({i, i * 4, 4});
    VkSpecializationInfo si{};
    si.mapEntryCount = static_cast<uint32_t>(entries.size());
    si.pMapEntries = entries.data();
    si.dataSize = values.size() * 4;
    si.pData = values.data();

    VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    ci.stage.module = module_;
    ci.stage.pName = "main";
    ci.stage.pSpecializationInfo = &si;
    ci.layout = layout_;
    VKT_CHECK(vkCreateComputePipelines(ctx.device(), ctx.pipeline_cache().handle(), 1, &ci, nullptr, &pipeline_));
  } catch (...) {
    release();
    throw;
  }
}

Kernel::~Kernel() { release(); }

void Kernel::release() {
  if (!ctx_) return;
  VkDevice d = ctx_->device();
  if (pipeline_) vkDestroyPipeline(d, pipeline_, nullptr);
  if (layout_) vkDestroyPipelineLayout(d, layout_, nullptr);
  if (set_layout_) vkDestroyDescriptorSetLayout(d, set_layout_, nullptr);
  if (module_) vkDestroyShaderModule(d, module_, nullptr);
  pipeline_ = VK_NULL_HANDLE;
  layout_ = VK_NULL_HANDLE;
  set_layout_ = VK_NULL_HANDLE;
  module_ = VK_NULL_HANDLE;
  ctx_ = nullptr;
}

Kernel::Kernel(Kernel&& o) noexcept { *this = std::move(o); }

Kernel& Kernel::operator=(Kernel&& o) noexcept {
  if (this != &o) {
    release();
    ctx_ = std::exchange(o.ctx_, nullptr);
    spec_ = std::move(o.spec_);
    module_ = std::exchange(o.module_, VK_NULL_HANDLE);
    set_layout_ = std::exchange(o.set_layout_, VK_NULL_HANDLE);
    layout_ = std::exchange(o.layout_, VK_NULL_HANDLE);
    pipeline_ = std::exchange(o.pipeline_, VK_NULL_HANDLE);
  }
  return *this;
}

}  // namespace vkt
