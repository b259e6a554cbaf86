#include "nn/ops/workspace_arena.hpp"

#include <algorithm>

#include "runtime/context.hpp"
#include "runtime/stream.hpp"
#include "util/error.hpp"

namespace vkt::nn {

WorkspaceArena::WorkspaceArena(Context& ctx) : ctx_(ctx) {
  const auto& info = ctx.info();
  // Every region starts where a storage binding and an RGBA32F texel view may start, so a
  // kernel takes the same path on a region as on a buffer of its own.
  align_ = std::max<uint64_t>({16, info.min_storage_buffer_offset_alignment, info.min_texel_buffer_offset_alignment});
  // A chunk is a storage buffer and one allocation: within both limits.
  uint64_t limit = Buffer::max_storage_bytes(ctx);
  if (info.max_memory_allocation_size) limit = std::min<uint64_t>(limit, info.max_memory_allocation_size);
  chunk_limit_ = limit / align_ * align_;
}

void WorkspaceArena::new_group() {
  group_chunk_ = 0;
  group_offset_ = 0;
  ++groups_;
}

WorkspaceArena::Region WorkspaceArena::reserve(uint64_t floats, const std::string& what) {
  if (allocated_) throw Error("workspace arena: '" + what + "' reserved after the arena was allocated");
  if (floats == 0) return {};
  if (groups_ == 0) new_group();
  const uint64_t bytes = floats * 4;
  Buffer::check_storage_bytes(ctx_, bytes, what);
  // Whole vec4s, so a texel view's rounded-up tail stays inside the region.
  const uint64_t padded = (bytes + 15) / 16 * 16;
  uint64_t at = (group_offset_ + align_ - 1) / align_ * align_;
  // A region over the allocation limit starts a chunk of its own, which the allocator then
  // refuses, as it would a buffer of that size.
  if (at > 0 && at + padded > chunk_limit_) ++group_chunk_, at = 0;
  if (chunk_bytes_.size() <= group_chunk_) chunk_bytes_.resize(group_chunk_ + 1, 0);
  chunk_bytes_[group_chunk_] = std::max(chunk_bytes_[group_chunk_], at + padded);
  group_offset_ = at + padded;
  regions_.push_back({group_chunk_, at, bytes});
  return {regions_.size() - 1};
}

uint64_t WorkspaceArena::reserved_bytes() const {
  uint64_t sum = 0;
  for (uint64_t b : chunk_bytes_) sum += b;
  return sum;
}

void WorkspaceArena::allocate() {
  allocated_ = true;
  chunks_.reserve(chunk_bytes_.size());
  for (size_t i = 0; i < chunk_bytes_.size(); ++i)
    chunks_.emplace_back(ctx_, chunk_bytes_[i],
                         chunk_bytes_.size() == 1 ? "layer workspaces" : "layer workspaces " + std::to_string(i),
                         MemoryKind::Workspace);
}

DeviceSpan WorkspaceArena::span(Region r) {
  if (r.index == SIZE_MAX) return {};
  if (r.index >= regions_.size()) throw Error("workspace arena: no region " + std::to_string(r.index));
  if (!allocated_) allocate();
  const Placed& p = regions_[r.index];
  return DeviceSpan(chunks_[p.chunk], p.offset, p.bytes / 4);
}

void WorkspaceArena::fill(uint32_t bits) {
  if (!allocated_) allocate();
  if (chunks_.empty()) return;
  Stream s(ctx_);
  for (const Buffer& b : chunks_) s.fill(b, bits);
  s.run();
}

}  // namespace vkt::nn
