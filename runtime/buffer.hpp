#pragma once
// A Buffer is one VkBuffer bound to a piece of device memory. Device buffers are storage
// buffers kernels read and write; they can also be read through an RGBA32F uniform texel
// buffer view, which lavapipe loads about twice as fast (see kernel bindings in stream.hpp).
#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "runtime/allocator.hpp"

namespace vkt {

class Context;

class Buffer {
 public:
  Buffer() = default;
  // Throws Error naming `name`, the size and the limit when the device cannot hold it:
  // over maxStorageBufferRange, maxMemoryAllocationSize or the memory heap.
  Buffer(Context& ctx, VkDeviceSize bytes, std::string name = "buffer", MemoryUse use = MemoryUse::Device)
      : Buffer(ctx, bytes, std::move(name), MemoryKind::Other, use) {}
  // `kind`: what the memory accountant counts it as (runtime/memory_accountant.hpp).
  Buffer(Context& ctx, VkDeviceSize bytes, std::string name, MemoryKind kind, MemoryUse use = MemoryUse::Device);
  // The device memory such a buffer would take (its memory requirement), found without
  // allocating any: what memory plans add up (nn/train/memory_plan.hpp).
  static uint64_t memory_bytes(Context& ctx, VkDeviceSize bytes, MemoryUse use = MemoryUse::Device);
  // The most bytes one storage binding may cover: the device's maxStorageBufferRange, or a
  // smaller device's the policy describes (KernelPolicy).
  static uint64_t max_storage_bytes(const Context& ctx);
  // Throws Error naming `name` when `bytes` pass max_storage_bytes: what the constructor checks
  // for a storage buffer, and what memory handed out inside one (nn/ops/workspace_arena) checks.
  static void check_storage_bytes(const Context& ctx, VkDeviceSize bytes, const std::string& name);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& o) noexcept;
  Buffer& operator=(Buffer&& o) noexcept;

  VkBuffer handle() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  // Bytes actually allocated: rounded up to whole vec4s so texel views reach the last element.
  VkDeviceSize padded_size() const { return (size_ + 15) / 16 * 16; }
  const std::string& name() const { return name_; }
  bool host_visible() const { return alloc_.mapped != nullptr; }
  uint8_t* mapped() const { return alloc_.mapped; }
  // True if this buffer may be bound as a uniform texel buffer of vec4s.
  bool texel_capable() const { return texel_capable_; }

  // Copies host bytes in / out at `offset`. Through the mapping where the memory is
  // host-visible, else through a staging buffer and a one-time transfer.
  void upload(const void* data, VkDeviceSize bytes, VkDeviceSize offset = 0);
  void download(void* data, VkDeviceSize bytes, VkDeviceSize offset = 0) const;

  template <class T>
  void upload(std::span<const T> v, VkDeviceSize offset = 0) { upload(v.data(), v.size_bytes(), offset); }
  template <class T>
  void upload(const std::vector<T>& v, VkDeviceSize offset = 0) { upload(v.data(), v.size() * sizeof(T), offset); }
  template <class T>
  std::vector<T> download_as(size_t count, VkDeviceSize offset = 0) const {
    std::vector<T> v(count);
    download(v.data(), count * sizeof(T), offset);
    return v;
  }
  template <class T>
  std::vector<T> download_all() const { return download_as<T>(size_ / sizeof(T)); }

 private:
  void release();

  Context* ctx_ = nullptr;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceSize size_ = 0;
  Allocation alloc_;
  std::string name_;
  bool texel_capable_ = false;
};

}  // namespace vkt
