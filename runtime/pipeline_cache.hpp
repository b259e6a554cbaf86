#pragma once
// The driver's pipeline cache, persisted across runs so a second `vktrain train` or every
// trial of a study skips shader compilation. One file per device + driver:
//   $XDG_CACHE_HOME/vktrain/ (else ~/.cache/vktrain/) pipelines-<vendor>-<device>.bin
// Our header (magic, version, vendor, device, driver version, pipelineCacheUUID, size, CRC32)
// guards the driver's blob: a stale or corrupt file is ignored with a warning, never trusted.
#include <vulkan/vulkan.h>

#include <filesystem>
#include <string>

namespace vkt {

class Context;

// The directory vktrain caches into.
std::filesystem::path cache_directory();

class PipelineCache {
 public:
  PipelineCache(Context& ctx, bool persist);
  ~PipelineCache();
  PipelineCache(const PipelineCache&) = delete;
  PipelineCache& operator=(const PipelineCache&) = delete;

  VkPipelineCache handle() const { return cache_; }
  const std::filesystem::path& path() const { return path_; }
  // Bytes of driver data accepted from disk at start-up (0: none, or ignored).
  size_t loaded_bytes() const { return loaded_bytes_; }
  // Why the file on disk was not used ("" if it was used or there was none).
  const std::string& rejected_reason() const { return rejected_; }

  // Writes the cache to disk (atomically) if persisting. Called by ~Context.
  void save();

 private:
  Context& ctx_;
  VkPipelineCache cache_ = VK_NULL_HANDLE;
  std::filesystem::path path_;
  bool persist_;
  size_t loaded_bytes_ = 0;
  std::string rejected_;
};

}  // namespace vkt
