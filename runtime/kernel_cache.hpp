#pragma once
// Which kernel candidate won on this device, remembered across runs (nn/plan/ measures them):
//   $XDG_CACHE_HOME/vktrain/ (else ~/.cache/vktrain/) kernels-<vendor>-<device>.json
// The file names the driver version, the pipelineCacheUUID and a checksum of the candidate set
// (the shaders, the candidates' names and the binary): if any of them differs from this run's, the file
// says nothing and what is measured replaces it. A file that cannot be read or parsed is
// ignored with a warning. Writes are atomic (util/file_io.hpp), and merge with what another
// process wrote since this one read the file.
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/device_info.hpp"

namespace vkt {

struct KernelCacheIdentity {
  uint32_t vendor_id = 0, device_id = 0, driver_version = 0;
  std::string pipeline_cache_uuid;  // hex
  std::string candidates;           // hex checksum of the candidate set
  static KernelCacheIdentity of(const DeviceInfo& info, uint64_t candidates_checksum);
  nlohmann::json to_json() const;
  bool operator==(const KernelCacheIdentity&) const = default;
};

struct KernelChoice {
  std::string winner;
  nlohmann::json detail;  // what was measured: per candidate, median ms and the check
};

class KernelCache {
 public:
  // Reads `file` (absent: empty). persist = false keeps everything in memory (tests, --autotune
  // runs that must not touch the user's cache).
  KernelCache(std::filesystem::path file, KernelCacheIdentity identity, bool persist = true);

  static std::filesystem::path default_file(const DeviceInfo& info);

  std::optional<KernelChoice> find(const std::string& key) const;
  // Remembers the winner and writes the file (atomically, merged with its current contents).
  void remember(const std::string& key, const KernelChoice& choice);

  const std::filesystem::path& file() const { return file_; }
  // Why the file on disk was not used: "" (used, or none), "made for ..." (another driver,
  // binary or device: re-measured), or the parse error (warned).
  const std::string& rejected_reason() const { return rejected_; }
  size_t size() const;
  // The entries whose key starts with `prefix` ("conv2d ", "strided_sum ").
  size_t count(std::string_view prefix) const;

 private:
  // Entries of `file` if it belongs to `identity_`; else empty, with the reason.
  std::map<std::string, KernelChoice> load(std::string& reason) const;

  std::filesystem::path file_;
  KernelCacheIdentity identity_;
  bool persist_;
  std::map<std::string, KernelChoice> entries_;
  std::string rejected_;
  mutable std::mutex mutex_;
};

}  // namespace vkt
