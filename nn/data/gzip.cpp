#include "nn/data/gzip.hpp"

#include <zlib.h>

#include <algorithm>

#include "util/error.hpp"
#include "util/file_io.hpp"

namespace vkt::nn {

bool is_gzip(std::span<const uint8_t> bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

namespace {

// Owns a z_stream so every exit path (including exceptions) calls inflateEnd.
struct Inflater {
  z_stream stream{};
  explicit Inflater(const std::string& source) {
    // 16 + MAX_WBITS: accept the gzip wrapper only (and let zlib check its CRC and length).
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
      throw Error(source + ": zlib could not start inflating");
  }
  ~Inflater() { inflateEnd(&stream); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

// The gzip trailer's last 4 bytes hold the uncompressed size mod 2^32: a good first guess
// for the output buffer that saves repeated growth on the common single-member file. A
// damaged file's trailer can say anything, so the guess is capped by deflate's best
// possible ratio (about 1032:1) and never allocates more than 256 MiB up front.
size_t initial_capacity(std::span<const uint8_t> compressed, uint64_t max_output_bytes) {
  constexpr uint64_t kMinimum = 4096;
  if (compressed.size() < 18) return kMinimum;
  const uint8_t* t = compressed.data() + compressed.size() - 4;
  const uint64_t isize = uint64_t{t[0]} | uint64_t{t[1]} << 8 | uint64_t{t[2]} << 16 | uint64_t{t[3]} << 24;
  const uint64_t cap = std::min({max_output_bytes, uint64_t{compressed.size()} * 1032, uint64_t{256} << 20});
  return static_cast<size_t>(std::min(std::max(kMinimum, std::min(isize, cap)), std::max<uint64_t>(max_output_bytes, 1)));
}

}  // namespace

std::vector<uint8_t> gunzip(std::span<const uint8_t> compressed, const std::string& source,
                            uint64_t max_output_bytes) {
  if (!is_gzip(compressed)) throw InputError(source + ": not gzip data (no 1f 8b magic)");
  Inflater inflater(source);
  z_stream& z = inflater.stream;
  std::vector<uint8_t> out(initial_capacity(compressed, max_output_bytes));
  size_t produced = 0;
  size_t consumed = 0;
  for (;;) {
    if (produced == out.size()) {
      if (out.size() >= max_output_bytes)
        throw InputError(source + ": decompresses to more than " + std::to_string(max_output_bytes) +
                         " bytes; refusing to continue");
      out.resize(static_cast<size_t>(std::min<uint64_t>(uint64_t{out.size()} * 2, max_output_bytes)));
    }
    // zlib counts in uInt: hand it at most 1 GiB of input and output per call.
    const size_t in_chunk = std::min<size_t>(compressed.size() - consumed, 1u << 30);
    const size_t out_chunk = std::min<size_t>(out.size() - produced, 1u << 30);
    z.next_in = const_cast<Bytef*>(compressed.data() + consumed);
    z.avail_in = static_cast<uInt>(in_chunk);
    z.next_out = out.data() + produced;
    z.avail_out = static_cast<uInt>(out_chunk);
    const int rc = inflate(&z, Z_NO_FLUSH);
    consumed += in_chunk - z.avail_in;
    produced += out_chunk - z.avail_out;
    if (rc == Z_STREAM_END) {
      const auto rest = compressed.subspan(consumed);
      if (rest.empty()) break;
      // gzip(1) writes concatenated members for appended files; anything else is garbage.
      if (!is_gzip(rest))
        throw InputError(source + ": trailing garbage: " + std::to_string(rest.size()) +
                         " bytes after the end of the gzip stream");
      inflateReset(&z);
      continue;
    }
    if (rc == Z_DATA_ERROR)
      throw InputError(source + ": corrupt gzip data (" + (z.msg ? z.msg : "inflate failed") + ")");
    if (rc == Z_MEM_ERROR) throw Error(source + ": out of memory while decompressing");
    // Z_OK or Z_BUF_ERROR: no progress is possible only when the input ran out early.
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      throw InputError(source + ": gzip inflate failed with zlib code " + std::to_string(rc));
    if (consumed == compressed.size() && z.avail_out != 0)
      throw InputError(source + ": truncated gzip stream (the compressed file ends early)");
  }
  out.resize(produced);
  return out;
}

std::vector<uint8_t> gunzip_head(std::span<const uint8_t> compressed, const std::string& source, size_t n) {
  if (!is_gzip(compressed)) throw InputError(source + ": not gzip data (no 1f 8b magic)");
  Inflater inflater(source);
  z_stream& z = inflater.stream;
  std::vector<uint8_t> out(n);
  z.next_in = const_cast<Bytef*>(compressed.data());
  z.avail_in = static_cast<uInt>(std::min<size_t>(compressed.size(), 1u << 30));
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(n);
  while (z.avail_out > 0) {
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK) break;  // the end, or an error the whole read reports in its own words
  }
  out.resize(n - z.avail_out);
  return out;
}

std::vector<uint8_t> read_file_maybe_gzip(const std::filesystem::path& path) {
  std::vector<uint8_t> bytes = read_file(path);
  if (!is_gzip(bytes)) return bytes;
  return gunzip(bytes, path.string());
}

}  // namespace vkt::nn
