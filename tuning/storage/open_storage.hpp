#pragma once
// From a --study spec to its Storage: postgresql://... or postgres://... is a PostgreSQL study
// (pg_uri.hpp), anything else a journal file path.
#include <filesystem>
#include <memory>
#include <string>

#include "tuning/storage/storage.hpp"

namespace vkt::tune::storage {

// Opens the study, creating it if it does not exist; InputError if it exists with another
// fingerprint, or the spec is a malformed URI; Error if its server cannot be reached.
std::unique_ptr<Storage> open_storage(const std::string& spec, uint64_t fingerprint, const nlohmann::json& settings,
                                      const StorageOptions& options = {});

// Opens an existing study whatever its fingerprint (for reports); InputError if there is none.
std::unique_ptr<Storage> open_existing_storage(const std::string& spec, const StorageOptions& options = {});

// Where the trials of study `spec` write their checkpoints: "<file>.checkpoints" beside a
// journal file. For this phase a PostgreSQL study keeps them in a local directory too, named
// from the study name (plus a hash of the redacted URI, so that studies of the same name in
// two databases do not share one) in the working directory; the next phase moves them into
// the database, so that a trial can resume on another host.
std::filesystem::path checkpoint_dir(const std::string& spec);

}  // namespace vkt::tune::storage
