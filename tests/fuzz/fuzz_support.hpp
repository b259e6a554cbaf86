#pragma once
// What the fuzz targets and the seed writer share: a temporary directory of the process's own
// for the parsers that only read files, the checksum fix-ups of the custom mutators, gzip.
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/file_io.hpp"

// libFuzzer's own mutator, for a custom mutator to start from.
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace vkt::fuzz {

// One directory per process (parallel -jobs/-workers must not share files), under $TMPDIR
// when set, so that scripts/fuzz.sh keeps whatever a crashed process leaves inside build-sanitize.
inline const std::filesystem::path& temp_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      const char* tmp = ::getenv("TMPDIR");
      std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/vktrain-fuzz-XXXXXX";
      if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
      path = tmpl;
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

// Writes the input to `name` in temp_dir() as it is: a plain write, no fsync, since the
// file lives for one run.
inline std::filesystem::path write_input(const uint8_t* data, size_t size, const std::string& name) {
  const std::filesystem::path path = temp_dir() / name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path.string());
  const bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write " + path.string());
  return path;
}

inline void store_le32(uint8_t* at, uint32_t v) {
  for (int i = 0; i < 4; ++i) at[i] = uint8_t(v >> (8 * i));
}
inline uint32_t load_le32(const uint8_t* at) {
  return uint32_t{at[0]} | uint32_t{at[1]} << 8 | uint32_t{at[2]} << 16 | uint32_t{at[3]} << 24;
}

// A CRC-checked format would stop almost every mutation at its checksum; so most mutations
// get the checksum (and length) repaired, but one in 8 is left as it is, so that the checks
// themselves stay exercised.
inline bool repair_this_time(unsigned seed) { return seed % 8 != 0; }

// One gzip member holding `plain` (the project only ever reads gzip), or empty if it would
// not fit in `max_size` bytes.
inline std::vector<uint8_t> gzip(std::span<const uint8_t> plain, size_t max_size) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::vector<uint8_t> out(max_size);
  z.next_in = const_cast<Bytef*>(plain.data());
  z.avail_in = uInt(plain.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::vector<uint8_t>{};
}

}  // namespace vkt::fuzz
