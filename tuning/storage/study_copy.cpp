#include "tuning/storage/study_copy.hpp"

#include <filesystem>

#include "tuning/storage/journal.hpp"
#include "tuning/storage/open_storage.hpp"
#include "tuning/storage/pg_uri.hpp"
#include "tuning/storage/postgres_storage.hpp"
#include "util/error.hpp"

namespace vkt::tune::storage {

CopyResult copy_study(const std::string& src, const std::string& dst, const StorageOptions& options) {
  // Both specs are checked before anything is read or written, so a typo costs nothing.
  const bool dst_pg = is_postgres_uri(dst);
  const StudyUri dst_uri = dst_pg ? parse_study_uri(dst) : StudyUri{};
  if (!is_postgres_uri(src) && !std::filesystem::exists(src)) throw InputError(src + ": no such study file");
  if (!dst_pg && std::filesystem::exists(dst))
    throw InputError(dst + " already exists", "study copy never overwrites; pick a new file name");

  const auto source = open_existing_storage(src, options);
  const auto bodies = source->record_bodies();
  if (dst_pg)
    PostgresStorage::create_from_bodies(dst_uri, source->fingerprint(), bodies);
  else
    Journal::create_from_bodies(dst, source->fingerprint(), bodies);
  return {bodies.size(), source->display_name(), dst_pg ? dst_uri.display : dst};
}

}  // namespace vkt::tune::storage
