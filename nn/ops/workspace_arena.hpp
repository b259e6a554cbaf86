#pragma once
// The layers' scratch memory (im2col columns, Winograd tiles, split-K partial sums, pool
// argmax, batch statistics), shared by runs that never need it at the same time.
//
// Regions are reserved in groups. The regions of one group are held together and never
// overlap; different groups take turns and lie over the same memory, so the arena is as large
// as its largest group. A training graph is one group: what forward leaves in a layer's
// workspace, backward reads. An evaluation graph gives each layer a group of its own: its
// workspace is dead once the layer's forward is done, so the next layer takes the same memory.
// All graphs of a trainer share one arena, since no submission runs two of them.
// The Stream orders reuse: a write over what an earlier kernel read or wrote is a tracked
// hazard within a recording, and every recording begins with a barrier after earlier ones.
#include <cstdint>
#include <string>
#include <vector>

#include "nn/ops/device_span.hpp"
#include "runtime/buffer.hpp"

namespace vkt {
class Context;
}

namespace vkt::nn {

class WorkspaceArena {
 public:
  explicit WorkspaceArena(Context& ctx);
  WorkspaceArena(const WorkspaceArena&) = delete;
  WorkspaceArena& operator=(const WorkspaceArena&) = delete;

  // Regions reserved from now on, until the next call, form one group.
  void new_group();

  struct Region {
    size_t index = SIZE_MAX;  // SIZE_MAX: nothing reserved (an empty span)
  };
  // `floats` 4-byte elements in the current group; 0 gives the empty region. Throws Error
  // naming `what` when one region passes maxStorageBufferRange (Buffer::check_storage_bytes),
  // and once the arena is allocated: a graph built after the first span() would find its
  // memory too small.
  Region reserve(uint64_t floats, const std::string& what);

  // The region's memory. The first call allocates the arena: its chunks, each no larger than a
  // storage binding or an allocation may be, each sized for the largest group's use of it.
  DeviceSpan span(Region r);

  bool allocated() const { return allocated_; }
  uint64_t reserved_bytes() const;  // what allocation takes: the chunk sizes' sum
  size_t groups() const { return groups_; }

  // Fills the arena's memory with `bits` (allocating it first): tests use it to show that no
  // kernel reads what it did not write in this pass.
  void fill(uint32_t bits);

 private:
  struct Placed {
    size_t chunk = 0;
    uint64_t offset = 0, bytes = 0;  // bytes: 4 * floats
  };
  void allocate();

  Context& ctx_;
  uint64_t align_ = 16, chunk_limit_ = 0;
  std::vector<Placed> regions_;
  std::vector<uint64_t> chunk_bytes_;  // each chunk's size: the most any group uses of it
  size_t group_chunk_ = 0;             // where the current group's next region goes
  uint64_t group_offset_ = 0;
  size_t groups_ = 0;
  bool allocated_ = false;
  std::vector<Buffer> chunks_;
};

}  // namespace vkt::nn
