#include "util/file_io.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <stdlib.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace vkt {
namespace fs = std::filesystem;

std::vector<uint8_t> read_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path.string() + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool dir = S_ISDIR(st.st_mode);
    ::close(fd);
    throw InputError(path.string() + (dir ? ": is a directory, not a file" : ": is not a regular file"));
  }
  std::vector<uint8_t> bytes;
  try {
    bytes.resize(size_t(st.st_size));
  } catch (const std::bad_alloc&) {
    ::close(fd);
    throw InputError(path.string() + ": too large to read (" + std::to_string(st.st_size) + " bytes)");
  }
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = n < 0 ? std::strerror(errno) : "it shrank while being read";
      ::close(fd);
      throw InputError(path.string() + ": read failed (" + why + ")");
    }
    done += size_t(n);
  }
  ::close(fd);
  return bytes;
}

namespace {

fs::path directory_of(const fs::path& path) { return path.parent_path().empty() ? fs::path(".") : path.parent_path(); }

// check_writable_target's checks; `probe_file` also tries creating the file's temp name
// where its directory exists (write_file_atomic creates that name itself right after).
void check_target(const fs::path& path, bool probe_file) {
  if (path.empty()) throw InputError("an output path is empty");
  if (path.filename().string().size() > 255)
    throw InputError(path.string() + ": the file name is longer than 255 bytes");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw InputError(path.string() + ": is a directory; give a file name");
    if (!S_ISREG(st.st_mode))
      throw InputError(path.string() + ": exists and is not a regular file; vktrain replaces only regular files");
  }
  // The nearest existing ancestor must be a directory we may write in (missing ones are made).
  fs::path dir = directory_of(path);
  std::error_code ec;
  // A relative path's ancestors end at the working directory ("missing/file": "."), an
  // absolute one's at "/"; either stops the climb, even if it does not exist.
  for (fs::path up; !fs::exists(dir, ec) && (up = directory_of(dir)) != dir;) dir = up;
  if (!fs::is_directory(dir, ec)) throw InputError(path.string() + ": " + dir.string() + " is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw InputError(path.string() + ": cannot write in " + dir.string() + " (" + std::strerror(errno) + ")");
  // Permissions do not tell everything (root, /proc, a read-only mount): try it, with a
  // directory where the missing ones will be made, else with the file's temp name.
  if (dir != directory_of(path)) {
    std::string probe_dir = (dir / ".vktrain-probe-XXXXXX").string();
    if (!::mkdtemp(probe_dir.data()))
      throw InputError(path.string() + ": cannot create directories in " + dir.string() + " (" + std::strerror(errno) + ")");
    ::rmdir(probe_dir.c_str());
    return;
  }
  if (!probe_file) return;
  const fs::path probe = path.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return;  // ours from an earlier write in this process; fine
    throw InputError(path.string() + ": cannot write there (" + std::strerror(errno) + ")");
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace

void check_writable_target(const fs::path& path) { check_target(path, true); }

namespace {

// Temp siblings `<name>.tmp.<pid>` of writers that died mid-write (kill -9): removed, since
// nobody else will. A live writer's (another process writing the same target) stays.
void remove_stale_temps(const fs::path& path) {
  const fs::path dir = directory_of(path);
  const std::string prefix = path.filename().string() + ".tmp.";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9) continue;
    const pid_t pid = pid_t(std::stol(pid_text));
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    ::unlink(it->path().c_str());
  }
}

}  // namespace

static void fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // some filesystems do not allow it; the rename itself already happened
  ::fsync(fd);
  ::close(fd);
}

void write_file_atomic(const fs::path& path, std::span<const uint8_t> bytes) {
  check_target(path, /*probe_file=*/false);
  const fs::path dir = path.parent_path();
  std::error_code ec;
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) throw Error(dir.string() + ": cannot create the directory (" + ec.message() + ")");
  // The pid in the name keeps two processes writing the same target from sharing a temp file.
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  // Worded as check_writable_target's probe would word it: this is the same attempt.
  if (fd < 0) throw InputError(path.string() + ": cannot write there (" + std::strerror(errno) + ")");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(tmp.string() + ": write failed (" + why + ")");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw Error(tmp.string() + ": fsync failed (" + std::strerror(errno) + ")");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(path.string() + ": rename failed (" + why + ")");
  }
  fsync_dir(dir);
  remove_stale_temps(path);
}

uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc) {
  // zlib takes uInt lengths: feed it in chunks so buffers over 4 GiB stay correct.
  uLong c = crc;
  size_t off = 0;
  while (off < bytes.size()) {
    const size_t n = std::min<size_t>(bytes.size() - off, 1u << 30);
    c = ::crc32(c, bytes.data() + off, static_cast<uInt>(n));
    off += n;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace vkt
