#include "runtime/stream.hpp"

#include <algorithm>

#include "runtime/buffer.hpp"
#include "runtime/context.hpp"
#include "runtime/kernel.hpp"
#include "runtime/vk_check.hpp"

namespace vkt {
namespace {

constexpr uint32_t kSetsPerPool = 64;
constexpr uint32_t kDescriptorsPerPool = 512;
constexpr uint32_t kMaxTimestamps = 4096;

constexpr VkPipelineStageFlags kWorkStages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
constexpr VkAccessFlags kWrites = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
constexpr VkAccessFlags kAll = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                               VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_UNIFORM_READ_BIT;

void memory_barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage, VkAccessFlags src,
                    VkPipelineStageFlags dst_stage, VkAccessFlags dst) {
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = src;
  mb.dstAccessMask = dst;
  vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, &mb, 0, nullptr, 0, nullptr);
}

VkDeviceSize range_bytes(const Arg& a) {
  return a.bytes == VK_WHOLE_SIZE ? a.buffer->size() - a.offset : a.bytes;
}

}  // namespace

Stream::Stream(Context& ctx) : ctx_(ctx) {
  VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  alloc.commandPool = ctx.command_pool();
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  VKT_CHECK(vkAllocateCommandBuffers(ctx.device(), &alloc, &cmd_));
  VkFenceCreateInfo fi{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VKT_CHECK(vkCreateFence(ctx.device(), &fi, nullptr, &fence_));
}

Stream::~Stream() {
  VkDevice d = ctx_.device();
  if (in_flight_) vkWaitForFences(d, 1, &fence_, VK_TRUE, UINT64_MAX);
  reset();
  if (queries_) vkDestroyQueryPool(d, queries_, nullptr);
  vkDestroyFence(d, fence_, nullptr);
  vkFreeCommandBuffers(d, ctx_.command_pool(), 1, &cmd_);
}

void Stream::reset() {
  if (in_flight_) wait();
  VkDevice d = ctx_.device();
  for (auto v : views_) vkDestroyBufferView(d, v, nullptr);
  for (auto p : pools_) vkDestroyDescriptorPool(d, p, nullptr);
  views_.clear();
  pools_.clear();
  pending_.clear();
  barrier_notes_.clear();
  kernel_names_.clear();
  query_labels_.clear();
  dispatches_ = 0;
  if (recording_ || ended_) vkResetCommandBuffer(cmd_, 0);
  recording_ = ended_ = false;
}

void Stream::begin_if_needed() {
  if (ended_) throw Error("stream: cannot record after submit(); call reset() to record anew");
  if (recording_) return;
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  VKT_CHECK(vkBeginCommandBuffer(cmd_, &bi));
  recording_ = true;
  // Replays and staged uploads are separate submissions: their writes must be visible to this
  // recording's first reads. Host writes need nothing: a submission makes them visible.
  memory_barrier(cmd_, kWorkStages, kWrites, kWorkStages, kAll);
  if (timestamps_supported()) timestamp("begin");
}

VkDescriptorSet Stream::allocate_set(VkDescriptorSetLayout layout) {
  auto try_alloc = [&](VkDescriptorPool pool, VkDescriptorSet* set) {
    VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ai.descriptorPool = pool;
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &layout;
    return vkAllocateDescriptorSets(ctx_.device(), &ai, set);
  };
  VkDescriptorSet set = VK_NULL_HANDLE;
  if (!pools_.empty()) {
    const VkResult r = try_alloc(pools_.back(), &set);
    if (r == VK_SUCCESS) return set;
    if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) VKT_CHECK(r);
  }
  const VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kDescriptorsPerPool},
                                        {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, kDescriptorsPerPool}};
  VkDescriptorPoolCreateInfo pi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  pi.maxSets = kSetsPerPool;
  pi.poolSizeCount = 2;
  pi.pPoolSizes = sizes;
  VkDescriptorPool pool;
  VKT_CHECK(vkCreateDescriptorPool(ctx_.device(), &pi, nullptr, &pool));
  pools_.push_back(pool);
  VKT_CHECK(try_alloc(pool, &set));
  return set;
}

VkBufferView Stream::texel_view(const Arg& a, VkDeviceSize bytes) {
  const auto& info = ctx_.info();
  if (!a.buffer->texel_capable())
    throw Error("buffer '" + a.buffer->name() + "' cannot be read as a texel buffer on " + info.name);
  if (a.offset % info.min_texel_buffer_offset_alignment)
    throw Error("texel view of '" + a.buffer->name() + "' at offset " + std::to_string(a.offset) +
                " breaks minTexelBufferOffsetAlignment " + std::to_string(info.min_texel_buffer_offset_alignment));
  // An RGBA32F view holds whole vec4s; a tail of 1-3 floats is reached by rounding up when
  // the buffer has room (buffers are 16-byte padded), so kernels see every element they index.
  const VkDeviceSize texel_bytes = a.texel_scalar ? 4 : 16;
  VkDeviceSize range = (bytes + texel_bytes - 1) / texel_bytes * texel_bytes;
  if (a.offset + range > a.buffer->padded_size())
    range = (a.buffer->padded_size() - a.offset) / texel_bytes * texel_bytes;
  if (range / texel_bytes > info.max_texel_buffer_elements)
    throw Error("texel view of '" + a.buffer->name() + "' needs " + std::to_string(range / texel_bytes) +
                " elements, over maxTexelBufferElements " + std::to_string(info.max_texel_buffer_elements));
  VkBufferViewCreateInfo vi{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  vi.buffer = a.buffer->handle();
  if (a.texel_uint && !info.r32ui_texel_buffers)
    throw Error("texel view of '" + a.buffer->name() + "': " + info.name + " has no R32_UINT texel buffers");
  vi.format = a.texel_uint ? VK_FORMAT_R32_UINT
                           : (a.texel_scalar ? VK_FORMAT_R32_SFLOAT : VK_FORMAT_R32G32B32A32_SFLOAT);
  vi.offset = a.offset;
  vi.range = range;
  VkBufferView view;
  VKT_CHECK(vkCreateBufferView(ctx_.device(), &vi, nullptr, &view));
  views_.push_back(view);
  return view;
}

void Stream::track(const std::string& command, const std::vector<Touch>& touches) {
  // A hazard exists if either side writes and the byte ranges overlap.
  const Touch* earlier = nullptr;
  const Touch* later = nullptr;
  for (const auto& t : touches) {
    for (const auto& p : pending_)
      if (p.buffer == t.buffer && p.begin < t.end && t.begin < p.end && (p.write || t.write)) {
        earlier = &p;
        later = &t;
        break;
      }
    if (earlier) break;
  }
  if (earlier) {
    const char* kind = earlier->write ? (later->write ? "write-after-write" : "read-after-write") : "write-after-read";
    barrier_notes_.push_back(std::string(kind) + ": " + earlier->what + " before " + later->what);
    memory_barrier(cmd_, kWorkStages, kWrites, kWorkStages, kAll);
    pending_.clear();
  }
  (void)command;
  pending_.insert(pending_.end(), touches.begin(), touches.end());
}

void Stream::dispatch_raw(const Kernel& kernel, std::initializer_list<Arg> args, const void* push,
                          std::array<uint32_t, 3> groups) {
  const auto& spec = kernel.spec();
  if (args.size() != spec.bindings.size())
    throw Error("kernel " + spec.shader + " takes " + std::to_string(spec.bindings.size()) + " buffers, got " +
                std::to_string(args.size()));
  if (spec.push_bytes && !push) throw Error("kernel " + spec.shader + " needs push constants");
  const auto& info = ctx_.info();
  for (int i = 0; i < 3; ++i)
    if (groups[i] > info.max_workgroup_count[i])
      throw Error("kernel " + spec.shader + ": " + std::to_string(groups[i]) + " workgroups in dimension " +
                  std::to_string(i) + " exceed the device limit " + std::to_string(info.max_workgroup_count[i]));
  begin_if_needed();

  const VkDescriptorSet set = allocate_set(kernel.set_layout());
  std::vector<VkDescriptorBufferInfo> buffer_infos(args.size());
  std::vector<VkBufferView> views(args.size());
  std::vector<VkWriteDescriptorSet> writes;
  std::vector<Touch> touches;
  uint32_t i = 0;
  for (const Arg& a : args) {
    const VkDeviceSize bytes = range_bytes(a);
    if (a.offset + bytes > a.buffer->size())
      throw Error("kernel " + spec.shader + ": binding " + std::to_string(i) + " overruns buffer '" +
                  a.buffer->name() + "'");
    const bool want_texel = spec.bindings[i] == BindingKind::Texel;
    if (want_texel != a.texel)
      throw Error("kernel " + spec.shader + ": binding " + std::to_string(i) + " is a " +
                  (want_texel ? "texel" : "storage") + " buffer; bind it with " + (want_texel ? "texel()" : "in/out()"));
    VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    w.dstSet = set;
    w.dstBinding = i;
    w.descriptorCount = 1;
    if (a.texel) {
      views[i] = texel_view(a, bytes);
      w.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
      w.pTexelBufferView = &views[i];
    } else {
      if (a.offset % info.min_storage_buffer_offset_alignment)
        throw Error("kernel " + spec.shader + ": binding " + std::to_string(i) + " offset " + std::to_string(a.offset) +
                    " breaks minStorageBufferOffsetAlignment " +
                    std::to_string(info.min_storage_buffer_offset_alignment));
      buffer_infos[i] = {a.buffer->handle(), a.offset, bytes};
      w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      w.pBufferInfo = &buffer_infos[i];
    }
    writes.push_back(w);
    const std::string what = spec.shader + " on '" + a.buffer->name() + "'";
    if (a.access != Access::Write) touches.push_back({a.buffer->handle(), a.offset, a.offset + bytes, false, what});
    if (a.access != Access::Read) touches.push_back({a.buffer->handle(), a.offset, a.offset + bytes, true, what});
    ++i;
  }
  vkUpdateDescriptorSets(ctx_.device(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);
  track(spec.shader, touches);

  vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.pipeline());
  vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.layout(), 0, 1, &set, 0, nullptr);
  if (spec.push_bytes) vkCmdPushConstants(cmd_, kernel.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, spec.push_bytes, push);
  if (groups[0] && groups[1] && groups[2]) vkCmdDispatch(cmd_, groups[0], groups[1], groups[2]);
  ++dispatches_;
  kernel_names_.push_back(spec.shader);
  if (profile_ && timestamps_supported()) timestamp(spec.shader);
}

void Stream::fill(const Buffer& dst, uint32_t value, VkDeviceSize offset, VkDeviceSize bytes) {
  begin_if_needed();
  const Arg a = out(dst, offset, bytes);
  VkDeviceSize n = range_bytes(a);
  if (offset % 4 || offset + n > dst.size()) throw Error("fill of '" + dst.name() + "': bad range");
  n = n / 4 * 4;  // vkCmdFillBuffer writes whole words
  track("fill", {{dst.handle(), offset, offset + n, true, "fill on '" + dst.name() + "'"}});
  if (n) vkCmdFillBuffer(cmd_, dst.handle(), offset, n, value);
}

void Stream::copy(const Buffer& src, const Buffer& dst, VkDeviceSize bytes, VkDeviceSize src_offset,
                  VkDeviceSize dst_offset) {
  begin_if_needed();
  if (src_offset + bytes > src.size() || dst_offset + bytes > dst.size())
    throw Error("copy from '" + src.name() + "' to '" + dst.name() + "': range out of bounds");
  track("copy", {{src.handle(), src_offset, src_offset + bytes, false, "copy from '" + src.name() + "'"},
                 {dst.handle(), dst_offset, dst_offset + bytes, true, "copy to '" + dst.name() + "'"}});
  const VkBufferCopy region{src_offset, dst_offset, bytes};
  if (bytes) vkCmdCopyBuffer(cmd_, src.handle(), dst.handle(), 1, &region);
}

bool Stream::timestamps_supported() const { return ctx_.info().timestamps; }

void Stream::timestamp(const std::string& label) {
  if (!timestamps_supported()) return;
  if (!recording_) {
    begin_if_needed();  // records "begin" through this same function
    if (label == "begin") return;
  }
  if (!queries_) {
    VkQueryPoolCreateInfo qi{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    qi.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qi.queryCount = kMaxTimestamps;
    VKT_CHECK(vkCreateQueryPool(ctx_.device(), &qi, nullptr, &queries_));
  }
  if (query_labels_.size() >= kMaxTimestamps) throw Error("stream: more than 4096 timestamps in one recording");
  // Queries must be reset before they are written, on every replay: reset them where the
  // first one is written, inside the recording.
  if (query_labels_.empty()) vkCmdResetQueryPool(cmd_, queries_, 0, kMaxTimestamps);
  vkCmdWriteTimestamp(cmd_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries_, static_cast<uint32_t>(query_labels_.size()));
  query_labels_.push_back(label);
}

void Stream::submit() {
  if (in_flight_) throw Error("stream: submit() while the previous submission is running; call wait() first");
  if (!recording_ && !ended_) begin_if_needed();
  if (!ended_) {
    // Results are read by the host after the fence: make the device's writes visible to it.
    memory_barrier(cmd_, kWorkStages, kWrites, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    VKT_CHECK(vkEndCommandBuffer(cmd_));
    ended_ = true;
  }
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cmd_;
  VKT_CHECK(vkQueueSubmit(ctx_.queue(), 1, &si, fence_));
  in_flight_ = true;
}

void Stream::wait() {
  if (!in_flight_) return;
  in_flight_ = false;  // even if the wait fails, the fence is not waited on twice
  VKT_CHECK(vkWaitForFences(ctx_.device(), 1, &fence_, VK_TRUE, UINT64_MAX));
  VKT_CHECK(vkResetFences(ctx_.device(), 1, &fence_));
}

std::vector<Timing> Stream::timings() const {
  std::vector<Timing> out;
  if (!queries_ || query_labels_.size() < 2 || !ended_) return out;
  std::vector<uint64_t> ticks(query_labels_.size());
  VKT_CHECK(vkGetQueryPoolResults(ctx_.device(), queries_, 0, static_cast<uint32_t>(ticks.size()),
                                  ticks.size() * sizeof(uint64_t), ticks.data(), sizeof(uint64_t),
                                  VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  const double ns_per_tick = ctx_.info().timestamp_period_ns;
  for (size_t i = 1; i < ticks.size(); ++i)
    out.push_back({query_labels_[i], static_cast<double>(ticks[i] - ticks[i - 1]) * ns_per_tick * 1e-6});
  return out;
}

}  // namespace vkt
