#include "nn/log/tensorboard.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "nn/log/crc32c.hpp"
#include "nn/log/event.pb.h"
#include "util/error.hpp"

namespace vkt::nn {
namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(char((v >> (8 * i)) & 0xFF));
}

std::span<const uint8_t> as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string tensorboard_record(std::string_view data) {
  std::string out;
  put_le(out, data.size(), 8);
  const uint32_t length_crc = masked_crc32c(as_bytes(out));
  put_le(out, length_crc, 4);
  out.append(data);
  put_le(out, masked_crc32c(as_bytes(data)), 4);
  return out;
}

TensorBoardWriter::TensorBoardWriter(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw InputError("--tensorboard " + dir.string() + ": cannot create the directory (" +
                     (ec ? ec.message() : std::string("not a directory")) + ")");
  char host[256] = "localhost";
  ::gethostname(host, sizeof host - 1);
  const double now = unix_seconds();
  path_ = dir / ("events.out.tfevents." + std::to_string(int64_t(now)) + "." + host + "." + std::to_string(::getpid()));
  tensorboard::Event version;
  version.set_wall_time(now);
  version.set_file_version("brain.Event:2");
  append(version.SerializeAsString());
}

void TensorBoardWriter::scalars(int64_t step, const std::vector<std::pair<std::string, double>>& values) {
  tensorboard::Event e;
  e.set_wall_time(unix_seconds());
  e.set_step(step);
  for (const auto& [tag, value] : values) {
    auto* v = e.mutable_summary()->add_value();
    v->set_tag(tag);
    v->set_simple_value(float(value));
  }
  append(e.SerializeAsString());
}

void TensorBoardWriter::append(const std::string& event_bytes) {
  const std::string record = tensorboard_record(event_bytes);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError(path_.string() + ": cannot open for writing: " + std::strerror(errno));
  size_t done = 0;
  while (done < record.size()) {
    const ssize_t n = ::write(fd, record.data() + done, record.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      throw Error(path_.string() + ": write failed: " + std::strerror(err));
    }
    done += size_t(n);
  }
  if (::close(fd) != 0) throw Error(path_.string() + ": write failed on close: " + std::strerror(errno));
}

std::string tensorboard_trial_folder(int64_t id, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string name = "trial-" + std::to_string(id);
  for (size_t i = 0; i < params.size(); ++i) name += (i ? "," : "-") + params[i].first + "=" + params[i].second;
  for (char& ch : name)
    if (ch == '/' || ch == '\\' || ch == ' ' || ch == ':' || ch == '*' || ch == '?' || ch == '"' || ch == '\'' ||
        (unsigned char)ch < 0x20)
      ch = '_';
  if (name.size() > 200) name.resize(200);  // under NAME_MAX, whatever the parameters
  return name;
}

}  // namespace vkt::nn
