#pragma once
// Device memory for buffers. Small buffers are carved out of blocks of up to 64 MiB (drivers
// limit the number of allocations and each one is slow); big ones get their own allocation.
// Every byte is counted by kind in its MemoryAccountant.
// Host-visible memory stays mapped for its whole life.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/memory_accountant.hpp"

namespace vkt {

class Context;

enum class MemoryUse {
  Device,    // kernels read and write it; host-visible too where the device allows (UMA, lavapipe)
  Upload,    // host writes, device reads once (staging)
  Readback,  // device writes, host reads (staging)
  Shared,    // small blocks both sides use every step: kernels bind it as a storage buffer, the
             // host reads/writes it through the mapping (per-step hyperparameters, loss sums)
};

struct Allocation {
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
  VkDeviceSize size = 0;
  uint8_t* mapped = nullptr;  // host pointer to `offset`, or null if not host-visible
  uint32_t memory_type = 0;
  int block = -1;  // index into the allocator's blocks; -1 for a dedicated allocation
  MemoryKind kind = MemoryKind::Other;
};

class Allocator {
 public:
  explicit Allocator(Context& ctx);
  ~Allocator();
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  // `what` names the request in error messages (e.g. "buffer 'params'"); `kind` is what the
  // accountant counts it as.
  Allocation allocate(const VkMemoryRequirements& req, MemoryUse use, MemoryKind kind, const std::string& what);
  void free(const Allocation& a);

  uint64_t bytes_in_use() const { return accountant_.in_use().total(); }
  // A copy: the allocator's lock guards the original.
  MemoryAccountant accountant() const;
  void reset_peaks();
  // Memory the buffers may hold in all (`--max-device-memory`); 0: no limit but the heaps'.
  // Passing it throws Error naming the request, before the driver is asked. It counts what
  // the buffers take, as the memory plan does; the free space inside blocks comes on top
  // (at most the last block, as blocks grow from 1 to 64 MiB).
  void set_limit(uint64_t bytes) { limit_ = bytes; }
  uint64_t limit() const { return limit_; }
  size_t block_count() const;
  // True if MemoryUse::Device memory is host-visible, so uploads need no staging copy.
  bool device_memory_is_host_visible() const;

  static constexpr VkDeviceSize kBlockSize = 64ull << 20;
  static constexpr VkDeviceSize kFirstBlockSize = 1ull << 20;

 private:
  struct Range {
    VkDeviceSize offset, size;
  };
  struct Block {
    VkDeviceMemory memory = VK_NULL_HANDLE;
    uint32_t memory_type = 0;
    VkDeviceSize size = 0;
    uint8_t* mapped = nullptr;
    std::vector<Range> free;  // sorted by offset, coalesced
  };

  uint32_t choose_type(uint32_t allowed, MemoryUse use, const std::string& what) const;
  VkDeviceMemory allocate_memory(VkDeviceSize size, uint32_t type, const std::string& what, uint8_t** mapped);

  Context& ctx_;
  VkPhysicalDeviceMemoryProperties props_{};
  std::vector<Block> blocks_;
  MemoryAccountant accountant_;
  uint64_t limit_ = 0;
  mutable std::mutex mutex_;
};

}  // namespace vkt
