#pragma once
// From a --study spec to its Storage: postgresql://... or postgres://... is a PostgreSQL study
// (pg_uri.hpp), anything else a journal file path.
#include <filesystem>
#include <memory>
#include <string>

#include "tuning/storage/pg_uri.hpp"
#include "tuning/storage/storage.hpp"

namespace vkt::tune::storage {

// Opens the study, creating it if it does not exist; InputError if it exists with another
// fingerprint, or the spec is a malformed URI; Error if its server cannot be reached.
std::unique_ptr<Storage> open_storage(const std::string& spec, uint64_t fingerprint, const nlohmann::json& settings,
                                      const StorageOptions& options = {});

// Opens an existing study whatever its fingerprint (for reports); InputError if there is none.
std::unique_ptr<Storage> open_existing_storage(const std::string& spec, const StorageOptions& options = {});

// Where the trials of study `spec` write their checkpoints: "<file>.checkpoints" beside a
// journal file, where they stay. A PostgreSQL study's trials write them to a local directory
// (local_checkpoint_dir) from which the storage copies each into the database
// (Storage::keep_checkpoint), so that a trial can resume on another host.
std::filesystem::path checkpoint_dir(const std::string& spec);

// A PostgreSQL study's local checkpoint directory: in the working directory, named from the
// study name plus a hash of the redacted URI, so that studies of the same name in two
// databases do not share one.
std::filesystem::path local_checkpoint_dir(const StudyUri& uri);

}  // namespace vkt::tune::storage
