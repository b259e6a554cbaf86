#include "runtime/kernel_cache.hpp"

#include <cstdio>
#include <iostream>

#include "runtime/pipeline_cache.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"
#include "util/json_input.hpp"

namespace fs = std::filesystem;

namespace vkt {
namespace {

constexpr const char* kFormat = "vktrain-kernel-cache";
constexpr int kVersion = 1;

std::string hex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += digits[p[i] >> 4], s += digits[p[i] & 15];
  return s;
}

}  // namespace

KernelCacheIdentity KernelCacheIdentity::of(const DeviceInfo& info, uint64_t candidates_checksum) {
  KernelCacheIdentity id;
  id.vendor_id = info.vendor_id;
  id.device_id = info.device_id;
  id.driver_version = info.driver_version;
  id.pipeline_cache_uuid = hex(info.pipeline_cache_uuid.data(), info.pipeline_cache_uuid.size());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(candidates_checksum));
  id.candidates = buf;
  return id;
}

nlohmann::json KernelCacheIdentity::to_json() const {
  return {{"vendor_id", vendor_id},
          {"device_id", device_id},
          {"driver_version", driver_version},
          {"pipeline_cache_uuid", pipeline_cache_uuid},
          {"candidates", candidates}};
}

fs::path KernelCache::default_file(const DeviceInfo& info) {
  char file[64];
  std::snprintf(file, sizeof file, "kernels-%04x-%04x.json", info.vendor_id, info.device_id);
  return cache_directory() / file;
}

KernelCache::KernelCache(fs::path file, KernelCacheIdentity identity, bool persist)
    : file_(std::move(file)), identity_(std::move(identity)), persist_(persist) {
  if (!persist_) return;
  entries_ = load(rejected_);
  if (!rejected_.empty() && rejected_.rfind("made for", 0) != 0)
    std::cerr << "vktrain: warning: ignoring kernel cache " << file_.string() << ": " << rejected_
              << " (it is measured again and rewritten)\n";
}

std::map<std::string, KernelChoice> KernelCache::load(std::string& reason) const {
  std::map<std::string, KernelChoice> out;
  reason.clear();
  std::error_code ec;
  if (!fs::exists(file_, ec)) return out;
  try {
    const std::vector<uint8_t> bytes = read_file(file_);
    const nlohmann::json j = parse_json(bytes, "the cache");
    if (!j.is_object() || j.value("format", "") != kFormat) throw InputError("not a vktrain kernel cache");
    if (j.value("version", 0) != kVersion) {
      reason = "made for cache format version " + std::to_string(j.value("version", 0));
      return out;
    }
    KernelCacheIdentity id;
    const auto& d = j.at("device");
    id.vendor_id = d.at("vendor_id").get<uint32_t>();
    id.device_id = d.at("device_id").get<uint32_t>();
    id.driver_version = d.at("driver_version").get<uint32_t>();
    id.pipeline_cache_uuid = d.at("pipeline_cache_uuid").get<std::string>();
    id.candidates = d.at("candidates").get<std::string>();
    if (!(id == identity_)) {
      reason = id.driver_version != identity_.driver_version ? "made for another driver version"
               : id.candidates != identity_.candidates       ? "made for another candidate set (another vktrain binary)"
                                                              : "made for another device or pipeline cache";
      return out;
    }
    for (const auto& [key, e] : j.at("entries").items())
      out[key] = KernelChoice{e.at("winner").get<std::string>(), e.value("detail", nlohmann::json::object())};
  } catch (const std::exception& e) {
    reason = e.what();
    out.clear();
  }
  return out;
}

std::optional<KernelChoice> KernelCache::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

size_t KernelCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

size_t KernelCache::count(std::string_view prefix) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [key, choice] : entries_) n += key.starts_with(prefix);
  return n;
}

void KernelCache::remember(const std::string& key, const KernelChoice& choice) {
  std::lock_guard lock(mutex_);
  entries_[key] = choice;
  if (!persist_) return;
  // What another process wrote since we read the file stays, unless we measured it too.
  std::string reason;
  std::map<std::string, KernelChoice> merged = load(reason);
  for (const auto& [k, v] : entries_) merged[k] = v;
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [k, v] : merged) entries[k] = {{"winner", v.winner}, {"detail", v.detail}};
  const nlohmann::json j{{"format", kFormat}, {"version", kVersion}, {"device", identity_.to_json()}, {"entries", entries}};
  const std::string text = j.dump(1) + "\n";
  try {
    write_file_atomic(file_, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  } catch (const std::exception& e) {
    // The run goes on with what it measured; the next one measures again.
    std::cerr << "vktrain: warning: cannot write kernel cache " << file_.string() << ": " << e.what() << "\n";
  }
}

}  // namespace vkt
