#include "tuning/storage/journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "tuning/storage/byte_codec.hpp"
#include "tuning/storage/replay.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

namespace vkt::tune::storage {
namespace {

constexpr char kMagic[8] = {'V', 'K', 'T', 'S', 'T', 'U', 'D', 'Y'};
constexpr size_t kHeaderBytes = 8 + 4 + 8;

std::string errno_text() { return std::strerror(errno); }

// Holds the exclusive flock for one operation; released on every exit path.
// flock for the scope: exclusive for a writer, shared for a read-only handle (a report may
// read beside a running study, never while a writer is mid-append).
class ExclusiveLock {
 public:
  ExclusiveLock(int fd, const std::filesystem::path& path, bool shared = false) : fd_(fd) {
    while (::flock(fd_, shared ? LOCK_SH : LOCK_EX) != 0)
      if (errno != EINTR) throw Error(path.string() + ": cannot lock (" + errno_text() + ")");
  }
  ~ExclusiveLock() { ::flock(fd_, LOCK_UN); }
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;

 private:
  int fd_;
};

void write_all_at(int fd, const std::vector<uint8_t>& bytes, uint64_t offset, const std::filesystem::path& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(path.string() + ": write failed (" + errno_text() + ")");
    done += size_t(n);
  }
  if (::fdatasync(fd) != 0) throw Error(path.string() + ": fsync failed (" + errno_text() + ")");
}

std::vector<uint8_t> read_range(int fd, uint64_t from, uint64_t to, const std::filesystem::path& path) {
  std::vector<uint8_t> buf(to - from);
  size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n = ::pread(fd, buf.data() + done, buf.size() - done, off_t(from + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(path.string() + ": read failed (" + errno_text() + ")");
    if (n == 0) break;  // shrank under us; we hold the lock, so only a foreign tool could do that
    done += size_t(n);
  }
  buf.resize(done);
  return buf;
}

uint64_t file_size(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw Error(path.string() + ": stat failed (" + errno_text() + ")");
  return uint64_t(st.st_size);
}

// Is there any well-formed record starting after `from`? Tells damage in the middle of the
// file (good records follow) from a torn tail (nothing good follows).
bool valid_record_after(std::span<const uint8_t> buf, size_t from) {
  for (size_t o = from + 1; o + kFrameHeaderBytes < buf.size(); ++o) {
    const Frame f = read_frame(buf.subspan(o));
    if (f.status != FrameStatus::Ok) continue;
    try {
      decode_body(f.body);
      return true;
    } catch (const Error&) {
    }
  }
  return false;
}

}  // namespace

Journal::Journal(std::filesystem::path path, uint64_t fingerprint, const nlohmann::json& settings)
    : path_(std::move(path)), fingerprint_(fingerprint) {
  open_file(true, &settings);
}

Journal::Journal(std::filesystem::path path) : path_(std::move(path)), read_only_(true) { open_file(false, nullptr); }

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::open_file(bool create, const nlohmann::json* settings) {
  if (create && path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  fd_ = ::open(path_.c_str(), (read_only_ ? O_RDONLY : O_RDWR) | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  if (fd_ < 0) {
    if (!create && errno == ENOENT) throw InputError("study " + path_.string() + " does not exist");
    throw Error(path_.string() + ": cannot open (" + errno_text() + ")");
  }
  // A constructor that throws runs no destructor: close the file here, or every refused
  // journal leaks a descriptor (the fuzzer ran out of them after 20,000 inputs).
  try {
    read_or_create_locked(create, settings);
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

void Journal::read_or_create_locked(bool create, const nlohmann::json* settings) {
  ExclusiveLock lock(fd_, path_, read_only_);
  // Creation happens under the lock too, so two processes starting the same new study
  // cannot both write a header.
  if (create && file_size(fd_, path_) == 0) {
    ByteWriter w;
    for (char c : kMagic) w.u8(uint8_t(c));
    w.u32(kJournalVersion);
    w.u64(fingerprint_);
    auto bytes = std::move(w.data());
    const auto created = encode_record(StudyCreated{settings->dump()});
    bytes.insert(bytes.end(), created.begin(), created.end());
    write_all_at(fd_, bytes, 0, path_);
    const int dir = ::open(path_.has_parent_path() ? path_.parent_path().c_str() : ".", O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {  // make the new directory entry durable too
      ::fsync(dir);
      ::close(dir);
    }
  }
  check_header(create ? std::optional<uint64_t>(fingerprint_) : std::nullopt);
  read_new_records_locked();
  if (offsets_.empty()) {
    // A header alone: the creating write was torn after it (the record was cut as a torn
    // tail). A writer completes the creation; a reader has no study to show.
    if (!create) throw InputError(path_.string() + ": holds no study-created record (an interrupted creation?)");
    write_locked({StudyCreated{settings->dump()}});
  }
}

void Journal::check_header(std::optional<uint64_t> expected) {
  const auto header = read_range(fd_, 0, kHeaderBytes, path_);
  if (header.size() < kHeaderBytes || std::memcmp(header.data(), kMagic, 8) != 0)
    throw InputError(path_.string() + " is not a vktrain study journal", "pick another --study file name");
  ByteReader r(std::span<const uint8_t>(header).subspan(8));
  const uint32_t version = r.u32();
  const uint64_t fingerprint = r.u64();
  if (version != kJournalVersion)
    throw InputError("study " + path_.string() + " has journal format " + std::to_string(version) +
                     ", this vktrain reads format " + std::to_string(kJournalVersion));
  if (expected && *expected != fingerprint)
    throw InputError("study " + path_.string() + " was created with a different space/settings",
                     "use the original space and settings, or start a new study file");
  fingerprint_ = fingerprint;
  if (read_offset_ == 0) read_offset_ = kHeaderBytes;
}

void Journal::read_new_records_locked() {
  const uint64_t size = file_size(fd_, path_);
  if (size < read_offset_)
    throw Error(path_.string() + ": the journal shrank from " + std::to_string(read_offset_) + " to " +
                std::to_string(size) + " bytes while open");
  if (size == read_offset_) return;
  const auto buf = read_range(fd_, read_offset_, size, path_);
  size_t pos = 0;
  while (pos < buf.size()) {
    const uint64_t offset = read_offset_ + pos;
    const Frame frame = read_frame(std::span<const uint8_t>(buf).subspan(pos));
    if (frame.status != FrameStatus::Ok) {
      if (valid_record_after(buf, pos))
        throw InputError(path_.string() + ": corrupt record at byte offset " + std::to_string(offset) +
                        " (valid records follow it, so this is damage, not an interrupted write)",
                    "restore the journal from a backup; the records before this offset are intact");
      if (read_only_) {  // only a writer repairs; this reader just stops before the tail
        std::cerr << "vktrain: warning: " << path_.string() << ": ignoring a torn last record at byte offset " << offset
                  << " (" << (size - offset) << " bytes); the study's next writer cuts it\n";
      } else {
        cut_torn_tail(offset, size);
      }
      break;
    }
    try {
      const Record record = decode_body(frame.body);
      if (offsets_.empty() && !std::holds_alternative<StudyCreated>(record))
        throw InputError("the first record is not the study-created record");
      apply_record(state_, record);
    } catch (const Error& e) {
      throw InputError(path_.string() + ": bad record at byte offset " + std::to_string(offset) + ": " + e.what());
    }
    offsets_.push_back(offset);
    pos += frame.size;
  }
  read_offset_ += pos;
}

void Journal::cut_torn_tail(uint64_t offset, uint64_t size) {
  const auto dropped = read_range(fd_, offset, size, path_);
  const std::filesystem::path backup = path_.string() + ".torn-" + std::to_string(offset);
  write_file_atomic(backup, dropped);
  if (::ftruncate(fd_, off_t(offset)) != 0 || ::fsync(fd_) != 0)
    throw Error(path_.string() + ": cannot cut the torn tail at byte " + std::to_string(offset) + " (" + errno_text() + ")");
  std::cerr << "vktrain: warning: " << path_.string() << ": dropped a torn last record at byte offset " << offset << " ("
            << dropped.size() << " bytes, as an interrupted write leaves them; saved to " << backup.string() << ")\n";
}

void Journal::write_locked(const std::vector<Record>& records) {
  if (records.empty()) return;
  std::vector<uint8_t> bytes;
  std::vector<uint64_t> starts;
  for (const Record& r : records) {
    starts.push_back(read_offset_ + bytes.size());
    const auto framed = encode_record(r);
    bytes.insert(bytes.end(), framed.begin(), framed.end());
  }
  write_all_at(fd_, bytes, read_offset_, path_);
  for (size_t i = 0; i < records.size(); ++i) {
    apply_record(state_, records[i]);
    offsets_.push_back(starts[i]);
  }
  read_offset_ += bytes.size();
}

void Journal::refresh() {
  ExclusiveLock lock(fd_, path_, read_only_);
  read_new_records_locked();
}

std::vector<std::vector<uint8_t>> Journal::record_bodies() {
  ExclusiveLock lock(fd_, path_, read_only_);
  const auto buf = read_range(fd_, kHeaderBytes, read_offset_, path_);
  std::vector<std::vector<uint8_t>> bodies;
  for (size_t pos = 0; pos < buf.size();) {
    const Frame frame = read_frame(std::span<const uint8_t>(buf).subspan(pos));
    if (frame.status != FrameStatus::Ok)
      throw Error(path_.string() + ": record at byte offset " + std::to_string(kHeaderBytes + pos) +
                  " changed since it was read");
    bodies.emplace_back(frame.body.begin(), frame.body.end());
    pos += frame.size;
  }
  return bodies;
}

void Journal::create_from_bodies(const std::filesystem::path& path, uint64_t fingerprint,
                                 const std::vector<std::vector<uint8_t>>& bodies) {
  ByteWriter w;
  for (char c : kMagic) w.u8(uint8_t(c));
  w.u32(kJournalVersion);
  w.u64(fingerprint);
  for (const auto& body : bodies) {
    w.u32(uint32_t(body.size()));
    w.u32(crc32(body));
    w.data().insert(w.data().end(), body.begin(), body.end());
  }
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::filesystem::path tmp = path;
  tmp += ".copying-";
  tmp += std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(tmp.string() + ": cannot create (" + errno_text() + ")");
  try {
    write_all_at(fd, w.data(), 0, tmp);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  // link(), unlike rename(), fails if the target exists: a study that appeared meanwhile is kept.
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) throw InputError(path.string() + " already exists", "copy to a new file name");
    errno = link_errno;
    throw Error(path.string() + ": cannot create (" + errno_text() + ")");
  }
  const int dir = ::open(path.has_parent_path() ? path.parent_path().c_str() : ".", O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void Journal::transact(const Decide& decide) {
  if (read_only_) throw Error(path_.string() + ": opened read-only (for a report), cannot append");
  ExclusiveLock lock(fd_, path_);
  read_new_records_locked();
  write_locked(decide(state_));
}

}  // namespace vkt::tune::storage
