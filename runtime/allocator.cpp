#include "runtime/allocator.hpp"

#include <algorithm>

#include "runtime/context.hpp"
#include "runtime/vk_check.hpp"
#include "util/format.hpp"

namespace vkt {
namespace {

bool has(VkMemoryPropertyFlags flags, VkMemoryPropertyFlags want) { return (flags & want) == want; }

VkDeviceSize align_up(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }

}  // namespace

Allocator::Allocator(Context& ctx) : ctx_(ctx) {
  vkGetPhysicalDeviceMemoryProperties(ctx.physical_device(), &props_);
}

Allocator::~Allocator() {
  for (auto& b : blocks_)
    if (b.memory) vkFreeMemory(ctx_.device(), b.memory, nullptr);
}

MemoryAccountant Allocator::accountant() const {
  std::lock_guard lock(mutex_);
  return accountant_;
}

void Allocator::reset_peaks() {
  std::lock_guard lock(mutex_);
  accountant_.reset_peaks();
}

size_t Allocator::block_count() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& b : blocks_) n += b.memory != VK_NULL_HANDLE;
  return n;
}

bool Allocator::device_memory_is_host_visible() const {
  const uint32_t t = choose_type(~0u, MemoryUse::Device, "probe");
  return has(props_.memoryTypes[t].propertyFlags, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
}

uint32_t Allocator::choose_type(uint32_t allowed, MemoryUse use, const std::string& what) const {
  // The largest device-local heap is where training data should live. If a host-visible,
  // coherent type sits on it (UMA: lavapipe, integrated GPUs), Device memory uses that type and
  // skips staging; a small host-visible window (PCIe BAR on a discrete GPU) is not used for it.
  int best_heap = -1;
  for (uint32_t h = 0; h < props_.memoryHeapCount; ++h)
    if ((props_.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) &&
        (best_heap < 0 || props_.memoryHeaps[h].size > props_.memoryHeaps[best_heap].size))
      best_heap = static_cast<int>(h);

  auto pick = [&](auto&& accept) -> int {
    for (uint32_t t = 0; t < props_.memoryTypeCount; ++t)
      if ((allowed & (1u << t)) && accept(t, props_.memoryTypes[t].propertyFlags)) return static_cast<int>(t);
    return -1;
  };
  const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  int t = -1;
  switch (use) {
    case MemoryUse::Device:
      t = pick([&](uint32_t i, VkMemoryPropertyFlags f) {
        return has(f, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | host) &&
               static_cast<int>(props_.memoryTypes[i].heapIndex) == best_heap;
      });
      if (t < 0) t = pick([](uint32_t, VkMemoryPropertyFlags f) { return has(f, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT); });
      if (t < 0) t = pick([](uint32_t, VkMemoryPropertyFlags) { return true; });
      break;
    case MemoryUse::Shared:
      t = pick([&](uint32_t, VkMemoryPropertyFlags f) { return has(f, host | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT); });
      if (t < 0) t = pick([&](uint32_t, VkMemoryPropertyFlags f) { return has(f, host); });
      break;
    case MemoryUse::Readback:
      t = pick([&](uint32_t, VkMemoryPropertyFlags f) { return has(f, host | VK_MEMORY_PROPERTY_HOST_CACHED_BIT); });
      [[fallthrough]];
    case MemoryUse::Upload:
      if (t < 0) t = pick([&](uint32_t, VkMemoryPropertyFlags f) { return has(f, host); });
      break;
  }
  if (t < 0) throw Error(what + ": no suitable memory type on " + ctx_.info().name);
  return static_cast<uint32_t>(t);
}

VkDeviceMemory Allocator::allocate_memory(VkDeviceSize size, uint32_t type, const std::string& what,
                                          uint8_t** mapped) {
  const auto& info = ctx_.info();
  if (size > info.max_memory_allocation_size)
    throw Error(what + " needs " + format_bytes(size) + ", over this device's maxMemoryAllocationSize (" +
                format_bytes(info.max_memory_allocation_size) + ")");
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = size;
  alloc.memoryTypeIndex = type;
  VkDeviceMemory memory;
  const VkResult r = vkAllocateMemory(ctx_.device(), &alloc, nullptr, &memory);
  if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY)
    throw Error(what + ": out of memory allocating " + format_bytes(size) + " on " + info.name + " (in use: " +
                    format_bytes(accountant_.driver_bytes()) + ")",
                "try a smaller batch or model");
  VKT_CHECK(r);
  *mapped = nullptr;
  if (props_.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
    void* p = nullptr;
    VKT_CHECK(vkMapMemory(ctx_.device(), memory, 0, VK_WHOLE_SIZE, 0, &p));
    *mapped = static_cast<uint8_t*>(p);
  }
  accountant_.driver_add(size);
  return memory;
}

Allocation Allocator::allocate(const VkMemoryRequirements& req, MemoryUse use, MemoryKind kind, const std::string& what) {
  std::lock_guard lock(mutex_);
  const uint32_t type = choose_type(req.memoryTypeBits, use, what);
  const uint64_t heap_size = props_.memoryHeaps[props_.memoryTypes[type].heapIndex].size;
  if (req.size > heap_size)
    throw Error(what + " needs " + format_bytes(req.size) + ", more than the whole memory heap (" +
                format_bytes(heap_size) + ") of " + ctx_.info().name);

  if (limit_ && accountant_.in_use().total() + req.size > limit_)
    throw Error(what + " needs " + format_bytes(req.size) + " more device memory, over the limit of " +
                    format_bytes(limit_) + " (in use: " + format_bytes(accountant_.in_use().total()) + ")",
                "raise --max-device-memory, or use a smaller batch");
  Allocation a;
  a.memory_type = type;
  a.size = req.size;
  a.kind = kind;
  if (req.size >= kBlockSize / 2) {  // dedicated: a block would be mostly this one buffer anyway
    a.memory = allocate_memory(req.size, type, what, &a.mapped);
    accountant_.add(kind, req.size);
    return a;
  }
  auto try_block = [&](int bi) -> bool {
    Block& b = blocks_[bi];
    if (!b.memory || b.memory_type != type) return false;
    for (size_t i = 0; i < b.free.size(); ++i) {
      Range& r = b.free[i];
      const VkDeviceSize start = align_up(r.offset, req.alignment);
      if (start + req.size > r.offset + r.size) continue;
      const Range before{r.offset, start - r.offset};
      const Range after{start + req.size, r.offset + r.size - start - req.size};
      b.free.erase(b.free.begin() + static_cast<long>(i));
      if (after.size) b.free.insert(b.free.begin() + static_cast<long>(i), after);
      if (before.size) b.free.insert(b.free.begin() + static_cast<long>(i), before);
      a.memory = b.memory;
      a.offset = start;
      a.mapped = b.mapped ? b.mapped + start : nullptr;
      a.block = bi;
      return true;
    }
    return false;
  };
  for (int bi = 0; bi < static_cast<int>(blocks_.size()); ++bi)
    if (try_block(bi)) {
      accountant_.add(kind, req.size);
      return a;
    }
  Block nb;
  nb.memory_type = type;
  // Blocks of a memory type grow from 1 MiB, doubling up to kBlockSize, so that a small model
  // takes a few MiB of the device rather than a whole 64 MiB block.
  VkDeviceSize grown = kFirstBlockSize;
  for (const Block& b : blocks_)
    if (b.memory && b.memory_type == type) grown = std::max(grown, std::min(2 * b.size, kBlockSize));
  while (grown < req.size + req.alignment) grown *= 2;
  nb.size = std::min<VkDeviceSize>(grown, heap_size);
  nb.memory = allocate_memory(nb.size, type, what, &nb.mapped);
  nb.free.push_back({0, nb.size});
  int slot = -1;
  for (int bi = 0; bi < static_cast<int>(blocks_.size()); ++bi)
    if (!blocks_[bi].memory) slot = bi;
  if (slot < 0) {
    blocks_.push_back(std::move(nb));
    slot = static_cast<int>(blocks_.size()) - 1;
  } else {
    blocks_[slot] = std::move(nb);
  }
  if (!try_block(slot)) throw Error(what + ": allocator could not place " + format_bytes(req.size));
  accountant_.add(kind, req.size);
  return a;
}

void Allocator::free(const Allocation& a) {
  if (!a.memory) return;
  std::lock_guard lock(mutex_);
  accountant_.remove(a.kind, a.size);
  if (a.block < 0) {
    vkFreeMemory(ctx_.device(), a.memory, nullptr);
    accountant_.driver_remove(a.size);
    return;
  }
  Block& b = blocks_[a.block];
  // Insert the range back in offset order, then merge with its neighbours.
  auto it = b.free.begin();
  while (it != b.free.end() && it->offset < a.offset) ++it;
  it = b.free.insert(it, {a.offset, a.size});
  if (it + 1 != b.free.end() && it->offset + it->size == (it + 1)->offset) {
    it->size += (it + 1)->size;
    b.free.erase(it + 1);
  }
  if (it != b.free.begin() && (it - 1)->offset + (it - 1)->size == it->offset) {
    (it - 1)->size += it->size;
    it = b.free.erase(it) - 1;
  }
  // An empty block goes back to the driver: a long tuning study must not keep every peak.
  if (b.free.size() == 1 && b.free[0].offset == 0 && b.free[0].size == b.size) {
    vkFreeMemory(ctx_.device(), b.memory, nullptr);
    accountant_.driver_remove(b.size);
    b = Block{};
  }
}

}  // namespace vkt
