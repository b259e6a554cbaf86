#include "tuning/storage/open_storage.hpp"

#include <cctype>
#include <cstdio>

#include "tuning/hash.hpp"
#include "tuning/storage/journal.hpp"
#include "tuning/storage/pg_uri.hpp"
#include "tuning/storage/postgres_storage.hpp"

namespace vkt::tune::storage {

std::unique_ptr<Storage> open_storage(const std::string& spec, uint64_t fingerprint, const nlohmann::json& settings,
                                      const StorageOptions& options) {
  if (is_postgres_uri(spec))
    return std::make_unique<PostgresStorage>(parse_study_uri(spec), fingerprint, settings, options);
  return std::make_unique<Journal>(spec, fingerprint, settings);
}

std::unique_ptr<Storage> open_existing_storage(const std::string& spec, const StorageOptions& options) {
  if (is_postgres_uri(spec)) return std::make_unique<PostgresStorage>(parse_study_uri(spec), options);
  return std::make_unique<Journal>(spec);
}

std::filesystem::path checkpoint_dir(const std::string& spec) {
  if (!is_postgres_uri(spec)) return spec + ".checkpoints";
  return local_checkpoint_dir(parse_study_uri(spec));
}

std::filesystem::path local_checkpoint_dir(const StudyUri& uri) {
  std::string name;
  for (char c : uri.study) name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  char hash[9];
  std::snprintf(hash, sizeof hash, "%08x", unsigned(fnv1a64(uri.display)));
  return std::filesystem::absolute(name + "-" + hash + ".checkpoints");
}

}  // namespace vkt::tune::storage
