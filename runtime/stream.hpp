#pragma once
// A Stream records many dispatches into one command buffer, once, and replays it: the
// training step is recorded when the model is built and then submitted every step unchanged.
//
// Barriers are derived, not hand-placed: every command declares which byte ranges it reads
// and writes (in/out/inout/texel below). A barrier is recorded only when a command touches a
// range that an earlier command since the last barrier wrote (read-after-write,
// write-after-write) or writes a range one read (write-after-read). barrier_notes() says, for
// each barrier, which write it orders before which access, so a reader can audit them.
#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "runtime/kernel.hpp"

namespace vkt {

class Buffer;
class Context;

enum class Access { Read, Write, ReadWrite };

// One kernel binding: a byte range of a buffer and what the kernel does with it.
struct Arg {
  const Buffer* buffer = nullptr;
  VkDeviceSize offset = 0;
  VkDeviceSize bytes = VK_WHOLE_SIZE;  // to the end of the buffer
  Access access = Access::Read;
  bool texel = false;  // bound as a uniform texel buffer (read-only) ...
  bool texel_scalar = false;  // ... of R32F (one float per texelFetch) instead of RGBA32F
  bool texel_uint = false;    // ... of R32UI (one uint per texelFetch; needs r32ui_texel_buffers)
};

inline Arg in(const Buffer& b, VkDeviceSize offset = 0, VkDeviceSize bytes = VK_WHOLE_SIZE) {
  return {&b, offset, bytes, Access::Read, false};
}
inline Arg out(const Buffer& b, VkDeviceSize offset = 0, VkDeviceSize bytes = VK_WHOLE_SIZE) {
  return {&b, offset, bytes, Access::Write, false};
}
inline Arg inout(const Buffer& b, VkDeviceSize offset = 0, VkDeviceSize bytes = VK_WHOLE_SIZE) {
  return {&b, offset, bytes, Access::ReadWrite, false};
}
inline Arg texel(const Buffer& b, VkDeviceSize offset = 0, VkDeviceSize bytes = VK_WHOLE_SIZE) {
  return {&b, offset, bytes, Access::Read, true};
}
// Scalar texel reads: for gathers that cannot read whole vec4s (im2col, transposes). On
// lavapipe a texelFetch is branch-free where a storage-buffer load is a per-lane loop.
inline Arg texel_r32(const Buffer& b, VkDeviceSize offset = 0, VkDeviceSize bytes = VK_WHOLE_SIZE) {
  return {&b, offset, bytes, Access::Read, true, true};
}
// Raw 32-bit words (a usamplerBuffer): packed bytes read without a float round trip, which
// could flush or canonicalize bit patterns that happen to be denormals or NaNs.
inline Arg texel_r32ui(const Buffer& b, VkDeviceSize offset = 0, VkDeviceSize bytes = VK_WHOLE_SIZE) {
  return {&b, offset, bytes, Access::Read, true, true, true};
}

struct Timing {
  std::string label;
  double ms = 0;  // device time since the previous timestamp of the same stream
};

class Stream {
 public:
  explicit Stream(Context& ctx);
  Context& context() const { return ctx_; }
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  Stream(Stream&&) = delete;
  Stream& operator=(Stream&&) = delete;

  // Records one dispatch of `kernel` over `groups` workgroups. `push` must be
  // kernel.spec().push_bytes long. Args bind to bindings 0, 1, ... in order.
  void dispatch_raw(const Kernel& kernel, std::initializer_list<Arg> args, const void* push,
                    std::array<uint32_t, 3> groups);
  template <class P>
  void dispatch(const Kernel& kernel, std::initializer_list<Arg> args, const P& push, std::array<uint32_t, 3> groups) {
    static_assert(sizeof(P) <= kMaxPushBytes, "push constants are limited to 128 bytes");
    dispatch_raw(kernel, args, &push, groups);
  }
  void dispatch(const Kernel& kernel, std::initializer_list<Arg> args, std::array<uint32_t, 3> groups) {
    dispatch_raw(kernel, args, nullptr, groups);
  }

  // Transfers, tracked like dispatches.
  void fill(const Buffer& dst, uint32_t value, VkDeviceSize offset = 0, VkDeviceSize bytes = VK_WHOLE_SIZE);
  void copy(const Buffer& src, const Buffer& dst, VkDeviceSize bytes, VkDeviceSize src_offset = 0,
            VkDeviceSize dst_offset = 0);

  // Marks a point in device time; timings() reports the time between consecutive marks.
  // With profile(true), every later dispatch is followed by a mark named after its kernel.
  void timestamp(const std::string& label);
  void profile(bool on) { profile_ = on; }

  // Ends the recording (first time only) and submits it; wait() blocks until it finished.
  // Submitting again replays the same recording.
  void submit();
  void wait();
  void run() {
    submit();
    wait();
  }

  // After wait(): device time between marks. Empty if the device has no timestamps.
  std::vector<Timing> timings() const;
  bool timestamps_supported() const;

  // Forgets the recording so a new one can start.
  void reset();

  size_t dispatch_count() const { return dispatches_; }
  // The shader of every dispatch recorded so far, in order (what --print-plan lists).
  const std::vector<std::string>& dispatched_kernels() const { return kernel_names_; }
  size_t barrier_count() const { return barrier_notes_.size(); }
  const std::vector<std::string>& barrier_notes() const { return barrier_notes_; }

 private:
  struct Touch {
    VkBuffer buffer;
    VkDeviceSize begin, end;
    bool write;
    std::string what;  // "<command> on '<buffer>'" for barrier notes
  };
  void begin_if_needed();
  void track(const std::string& command, const std::vector<Touch>& touches);
  VkDescriptorSet allocate_set(VkDescriptorSetLayout layout);
  VkBufferView texel_view(const Arg& a, VkDeviceSize bytes);

  Context& ctx_;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  std::vector<VkDescriptorPool> pools_;
  std::vector<VkBufferView> views_;
  VkQueryPool queries_ = VK_NULL_HANDLE;
  std::vector<std::string> query_labels_;
  std::vector<Touch> pending_;
  std::vector<std::string> barrier_notes_;
  std::vector<std::string> kernel_names_;
  size_t dispatches_ = 0;
  bool recording_ = false;
  bool ended_ = false;
  bool in_flight_ = false;
  bool profile_ = false;
};

}  // namespace vkt
