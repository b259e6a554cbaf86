#pragma once
// The file backend of Storage (storage.hpp). One study = one append-only binary journal file:
//   header: "VKTSTUDY" | u32 format version | u64 fingerprint of the space + settings
//   records (see records.hpp), little-endian.
// Every append takes an exclusive flock, first reads what other processes appended since our
// last read, then writes its records with one write() and fsyncs before returning. So several
// processes (on one host, or on a filesystem with working flock) can share one study.
//
// On open the records are replayed into a StudyState. A torn or corrupt *tail* (the last record
// incomplete or failing its CRC, as a crash mid-append leaves it) is cut off with a warning and
// the dropped bytes are kept in "<file>.torn-<offset>". A bad record *followed by valid ones*
// is real damage and an InputError naming its byte offset: we never silently drop good data.
// The first record is always the study-created one.
//
// A Journal must not be shared across fork(): flock belongs to the open file, so a child must
// open its own.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tuning/storage/storage.hpp"

namespace vkt::tune::storage {

constexpr uint32_t kJournalVersion = 1;

class Journal : public Storage {
 public:
  // Opens the study at `path`, creating it (header + study-created record holding `settings`)
  // if it does not exist. InputError if it exists with another fingerprint or is not a journal.
  Journal(std::filesystem::path path, uint64_t fingerprint, const nlohmann::json& settings);
  // Opens an existing study whatever its fingerprint, read-only (for reports and copies): a
  // torn tail is skipped with a warning, never cut; only a writer repairs the file.
  explicit Journal(std::filesystem::path path);
  ~Journal() override;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  const StudyState& state() const override { return state_; }
  const std::filesystem::path& path() const { return path_; }
  uint64_t fingerprint() const override { return fingerprint_; }
  std::string display_name() const override { return path_.string(); }
  // Byte offset of every record replayed or appended so far, in order (for diagnostics/tests).
  const std::vector<uint64_t>& record_offsets() const { return offsets_; }

  // Reads records other processes appended since our last read.
  void refresh() override;
  std::vector<std::vector<uint8_t>> record_bodies() override;

  // Writes a new journal holding `bodies` as they are (a copy of another study): to a temporary
  // sibling, fsynced, then linked into place, so `path` appears whole or not at all and an
  // existing file is never replaced (InputError if there is one).
  static void create_from_bodies(const std::filesystem::path& path, uint64_t fingerprint,
                                 const std::vector<std::vector<uint8_t>>& bodies);

  // Under one flock: catch up, then append what `decide` returns with one write() + fsync.
  // `decide` is called exactly once.
  void transact(const Decide& decide) override;

 private:
  void open_file(bool create, const nlohmann::json* settings);
  void read_or_create_locked(bool create, const nlohmann::json* settings);  // open_file after ::open
  void check_header(std::optional<uint64_t> expected);
  void read_new_records_locked();
  void cut_torn_tail(uint64_t offset, uint64_t file_size);
  void write_locked(const std::vector<Record>& records);

  std::filesystem::path path_;
  int fd_ = -1;
  bool read_only_ = false;
  uint64_t fingerprint_ = 0;
  uint64_t read_offset_ = 0;  // everything before this is replayed into state_
  StudyState state_;
  std::vector<uint64_t> offsets_;
};

}  // namespace vkt::tune::storage
