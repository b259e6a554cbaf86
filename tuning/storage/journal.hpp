#pragma once
// One study = one append-only binary journal file:
//   header: "VKTSTUDY" | u32 format version | u64 fingerprint of the space + settings
//   records (see records.hpp), little-endian.
// Every append takes an exclusive flock, first reads what other processes appended since our
// last read, then writes its records with one write() and fsyncs before returning. So several
// processes (on one host, or on a filesystem with working flock) can share one study.
//
// On open the records are replayed into a StudyState. A torn or corrupt *tail* (the last record
// incomplete or failing its CRC, as a crash mid-append leaves it) is cut off with a warning and
// the dropped bytes are kept in "<file>.torn-<offset>". A bad record *followed by valid ones*
// is real damage and an Error naming its byte offset: we never silently drop good data.
//
// A Journal must not be shared across fork(): flock belongs to the open file, so a child must
// open its own.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tuning/storage/records.hpp"

namespace vkt::tune::storage {

constexpr uint32_t kJournalVersion = 1;

// What a new trial starts with, decided under the journal lock from the freshest state.
struct Proposal {
  Params params;
  uint64_t seed = 0;
  std::vector<uint8_t> sampler_state;  // journaled with the trial so the sequence can continue
};

class Journal {
 public:
  // Opens the study at `path`, creating it (header + study-created record holding `settings`)
  // if it does not exist. InputError if it exists with another fingerprint or is not a journal.
  Journal(std::filesystem::path path, uint64_t fingerprint, const nlohmann::json& settings);
  // Opens an existing study whatever its fingerprint (for reports).
  explicit Journal(std::filesystem::path path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  const StudyState& state() const { return state_; }
  const std::filesystem::path& path() const { return path_; }
  uint64_t fingerprint() const { return fingerprint_; }
  // Byte offset of every record replayed or appended so far, in order (for diagnostics/tests).
  const std::vector<uint64_t>& record_offsets() const { return offsets_; }

  // Reads records other processes appended since our last read.
  void refresh();

  // Appends the records with one write() + fsync, after catching up with others.
  void append(const std::vector<Record>& records);
  void append(const Record& record) { append(std::vector<Record>{record}); }

  // Under one lock: catch up, then let `decide` look at the fresh state and return the records
  // to append (possibly none). Nothing can slip in between the look and the write.
  void transact(const std::function<std::vector<Record>(const StudyState&)>& decide);

  // Starts the next trial (id = number of trials started so far) unless `max_trials` have
  // been started or `propose` returns nullopt (e.g. the grid is exhausted). Returns the id.
  std::optional<int64_t> claim_next_trial(int64_t max_trials, const Owner& me,
                                          const std::function<std::optional<Proposal>(const StudyState&)>& propose);

  // Takes over the lowest-id running trial (id < below_id) whose owner is dead (owner.hpp):
  // appends a resumed trial-started record with the same params and seed. Returns its id, or
  // nullopt. Decided under the lock, so only one process can take a given orphan.
  // `is_dead` is injectable for tests; empty means owner_is_dead().
  std::optional<int64_t> claim_orphan(const Owner& me, const std::function<bool(const Owner&)>& is_dead = {},
                                      int64_t below_id = INT64_MAX);

 private:
  void open_file(bool create, const nlohmann::json* settings);
  void check_header(std::optional<uint64_t> expected);
  void read_new_records_locked();
  void cut_torn_tail(uint64_t offset, uint64_t file_size);
  void write_locked(const std::vector<Record>& records);

  std::filesystem::path path_;
  int fd_ = -1;
  uint64_t fingerprint_ = 0;
  uint64_t read_offset_ = 0;  // everything before this is replayed into state_
  StudyState state_;
  std::vector<uint64_t> offsets_;
};

}  // namespace vkt::tune::storage
