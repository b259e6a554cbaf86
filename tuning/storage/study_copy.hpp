#pragma once
// `vktrain study copy`: a study moved between any two storages (journal file, PostgreSQL)
// with its fingerprint and every record body unchanged, in order. Bodies are copied as stored,
// never decoded and encoded again, so a copy means exactly what its source meant and a file
// copied to PostgreSQL and back is the same file byte for byte.
//
// The copy is a snapshot: the records the source held when it was opened. Trials still
// running there appear as running in the copy. Trial checkpoints are not copied.
#include <cstddef>
#include <string>

#include "tuning/storage/storage.hpp"

namespace vkt::tune::storage {

struct CopyResult {
  size_t records = 0;
  std::string from, to;  // display names: no password
};

// InputError if `src` does not exist or `dst` does, or a spec is a malformed URI.
CopyResult copy_study(const std::string& src, const std::string& dst, const StorageOptions& options = {});

}  // namespace vkt::tune::storage
