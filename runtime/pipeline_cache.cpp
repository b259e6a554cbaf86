#include "runtime/pipeline_cache.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

#include "runtime/context.hpp"
#include "runtime/vk_check.hpp"
#include "util/file_io.hpp"

namespace vkt {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[8] = {'V', 'K', 'T', 'P', 'C', 'A', 'C', 'H'};
constexpr uint32_t kFormatVersion = 1;

struct Header {
  char magic[8];
  uint32_t format_version;
  uint32_t vendor_id;
  uint32_t device_id;
  uint32_t driver_version;
  uint8_t uuid[VK_UUID_SIZE];
  uint64_t data_bytes;
  uint32_t data_crc;
  uint32_t reserved;
};
static_assert(sizeof(Header) == 56, "the on-disk header layout is part of the file format");

Header header_for(const DeviceInfo& info) {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kFormatVersion;
  h.vendor_id = info.vendor_id;
  h.device_id = info.device_id;
  h.driver_version = info.driver_version;
  std::memcpy(h.uuid, info.pipeline_cache_uuid.data(), VK_UUID_SIZE);
  return h;
}

// Why `bytes` cannot be used as this device's cache, or "" if it can.
std::string check(const std::vector<uint8_t>& bytes, const Header& want) {
  if (bytes.size() < sizeof(Header)) return "file too short";
  Header h;
  std::memcpy(&h, bytes.data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return "wrong magic";
  if (h.format_version != kFormatVersion) return "format version " + std::to_string(h.format_version);
  if (h.vendor_id != want.vendor_id || h.device_id != want.device_id) return "made for another device";
  if (h.driver_version != want.driver_version) return "made by another driver version";
  if (std::memcmp(h.uuid, want.uuid, VK_UUID_SIZE) != 0) return "pipelineCacheUUID differs";
  if (h.data_bytes != bytes.size() - sizeof(Header)) return "truncated";
  if (crc32({bytes.data() + sizeof(Header), h.data_bytes}) != h.data_crc) return "CRC mismatch";
  return "";
}

}  // namespace

fs::path cache_directory() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "vktrain";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "vktrain";
  return fs::temp_directory_path() / "vktrain-cache";
}

PipelineCache::PipelineCache(Context& ctx, bool persist) : ctx_(ctx), persist_(persist) {
  const auto& info = ctx.info();
  char file[64];
  std::snprintf(file, sizeof file, "pipelines-%04x-%04x.bin", info.vendor_id, info.device_id);
  path_ = cache_directory() / file;

  std::vector<uint8_t> bytes;
  if (persist_ && fs::exists(path_)) {
    try {
      bytes = read_file(path_);
      rejected_ = check(bytes, header_for(info));
    } catch (const std::exception& e) {
      rejected_ = e.what();
    }
    if (!rejected_.empty()) {
      std::cerr << "vktrain: warning: ignoring pipeline cache " << path_.string() << ": " << rejected_ << "\n";
      bytes.clear();
    }
  }
  VkPipelineCacheCreateInfo ci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  if (bytes.size() > sizeof(Header)) {
    ci.initialDataSize = bytes.size() - sizeof(Header);
    ci.pInitialData = bytes.data() + sizeof(Header);
  }
  VKT_CHECK(vkCreatePipelineCache(ctx.device(), &ci, nullptr, &cache_));
  loaded_bytes_ = ci.initialDataSize;
}

PipelineCache::~PipelineCache() {
  if (cache_) vkDestroyPipelineCache(ctx_.device(), cache_, nullptr);
}

void PipelineCache::save() {
  if (!persist_ || !cache_) return;
  size_t n = 0;
  VKT_CHECK(vkGetPipelineCacheData(ctx_.device(), cache_, &n, nullptr));
  std::vector<uint8_t> bytes(sizeof(Header) + n);
  VKT_CHECK(vkGetPipelineCacheData(ctx_.device(), cache_, &n, bytes.data() + sizeof(Header)));
  bytes.resize(sizeof(Header) + n);
  Header h = header_for(ctx_.info());
  h.data_bytes = n;
  h.data_crc = crc32({bytes.data() + sizeof(Header), n});
  std::memcpy(bytes.data(), &h, sizeof h);
  write_file_atomic(path_, bytes);
}

}  // namespace vkt
