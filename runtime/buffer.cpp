#include "runtime/buffer.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "runtime/context.hpp"
#include "runtime/vk_check.hpp"
#include "util/format.hpp"

namespace vkt {

namespace {

VkBufferCreateInfo create_info(const DeviceInfo& info, VkDeviceSize bytes, MemoryUse use) {
  VkBufferUsageFlags usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  if (use == MemoryUse::Device || use == MemoryUse::Shared) usage |= VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  // Texel views need the usage bit at creation; only whole vec4s of the buffer are viewable.
  if (use == MemoryUse::Device && info.rgba32f_texel_buffers && info.max_texel_buffer_elements > 0)
    usage |= VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT;
  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bi.size = (bytes + 15) / 16 * 16;  // padded_size()
  bi.usage = usage;
  bi.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  return bi;
}

}  // namespace

uint64_t Buffer::memory_bytes(Context& ctx, VkDeviceSize bytes, MemoryUse use) {
  if (bytes == 0) return 0;
  const VkBufferCreateInfo bi = create_info(ctx.info(), bytes, use);
  VkBuffer b = VK_NULL_HANDLE;
  VKT_CHECK(vkCreateBuffer(ctx.device(), &bi, nullptr, &b));
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(ctx.device(), b, &req);
  vkDestroyBuffer(ctx.device(), b, nullptr);
  return req.size;
}

uint64_t Buffer::max_storage_bytes(const Context& ctx) {
  return std::min<uint64_t>(ctx.info().max_storage_buffer_range, ctx.policy().max_storage_buffer_range);
}

void Buffer::check_storage_bytes(const Context& ctx, VkDeviceSize bytes, const std::string& name) {
  const uint64_t range = max_storage_bytes(ctx);
  if (bytes > range)
    throw Error("buffer '" + name + "' of " + format_bytes(bytes) + " exceeds this device's maxStorageBufferRange (" +
                    format_bytes(range) + ") on " + ctx.info().name,
                "use a smaller batch or model, or a device with a larger limit");
}

Buffer::Buffer(Context& ctx, VkDeviceSize bytes, std::string name, MemoryKind kind, MemoryUse use)
    : ctx_(&ctx), size_(bytes), name_(std::move(name)) {
  const auto& info = ctx.info();
  if (bytes == 0) throw Error("buffer '" + name_ + "': size 0 requested");
  if (use == MemoryUse::Device || use == MemoryUse::Shared) check_storage_bytes(ctx, bytes, name_);

  const VkBufferCreateInfo bi = create_info(info, bytes, use);
  texel_capable_ = (bi.usage & VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT) != 0;
  VKT_CHECK(vkCreateBuffer(ctx.device(), &bi, nullptr, &buffer_));
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(ctx.device(), buffer_, &req);
  try {
    alloc_ = ctx.allocator().allocate(req, use, kind, "buffer '" + name_ + "'");
    VKT_CHECK(vkBindBufferMemory(ctx.device(), buffer_, alloc_.memory, alloc_.offset));
  } catch (...) {
    release();
    throw;
  }
}

Buffer::~Buffer() { release(); }

void Buffer::release() {
  if (!ctx_) return;
  if (buffer_) vkDestroyBuffer(ctx_->device(), buffer_, nullptr);
  ctx_->allocator().free(alloc_);
  buffer_ = VK_NULL_HANDLE;
  alloc_ = {};
  ctx_ = nullptr;
}

Buffer::Buffer(Buffer&& o) noexcept { *this = std::move(o); }

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    release();
    ctx_ = std::exchange(o.ctx_, nullptr);
    buffer_ = std::exchange(o.buffer_, VK_NULL_HANDLE);
    size_ = std::exchange(o.size_, 0);
    alloc_ = std::exchange(o.alloc_, {});
    name_ = std::move(o.name_);
    texel_capable_ = o.texel_capable_;
  }
  return *this;
}

void Buffer::upload(const void* data, VkDeviceSize bytes, VkDeviceSize offset) {
  if (offset + bytes > size_)
    throw Error("upload of " + format_bytes(bytes) + " at offset " + std::to_string(offset) + " overruns buffer '" +
                name_ + "' (" + format_bytes(size_) + ")");
  if (bytes == 0) return;
  if (host_visible()) {  // coherent memory: the next queue submission sees the write
    std::memcpy(alloc_.mapped + offset, data, bytes);
    return;
  }
  Buffer staging(*ctx_, bytes, name_ + " (staging)", MemoryKind::Staging, MemoryUse::Upload);
  std::memcpy(staging.mapped(), data, bytes);
  ctx_->run_once([&](VkCommandBuffer cmd) {
    const VkBufferCopy region{0, offset, bytes};
    vkCmdCopyBuffer(cmd, staging.handle(), buffer_, 1, &region);
  });
}

void Buffer::download(void* data, VkDeviceSize bytes, VkDeviceSize offset) const {
  if (offset + bytes > size_)
    throw Error("download of " + format_bytes(bytes) + " at offset " + std::to_string(offset) + " overruns buffer '" +
                name_ + "' (" + format_bytes(size_) + ")");
  if (bytes == 0) return;
  if (host_visible()) {  // callers wait on the stream's fence before reading
    std::memcpy(data, alloc_.mapped + offset, bytes);
    return;
  }
  Buffer staging(*ctx_, bytes, name_ + " (readback)", MemoryKind::Staging, MemoryUse::Readback);
  ctx_->run_once([&](VkCommandBuffer cmd) {
    const VkBufferCopy region{offset, 0, bytes};
    vkCmdCopyBuffer(cmd, buffer_, staging.handle(), 1, &region);
    // The copy's write must be visible to the host read below.
    VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    mb.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    mb.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, nullptr, 0,
                         nullptr);
  });
  std::memcpy(data, staging.mapped(), bytes);
}

}  // namespace vkt
