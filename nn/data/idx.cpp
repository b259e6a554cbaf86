#include "nn/data/idx.hpp"

#include <cstdint>
#include <cstdio>
#include <optional>

#include "nn/data/gzip.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"

namespace vkt::nn {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;

uint32_t read_be32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | uint32_t{b[at + 3]};
}

std::string hex32(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", v);
  return text;
}

// The dimensions after the magic number; the caller has checked there are `rank` of them.
std::vector<uint32_t> header_dims(std::span<const uint8_t> bytes, uint8_t rank) {
  std::vector<uint32_t> dims(rank);
  for (uint8_t i = 0; i < rank; ++i) dims[i] = read_be32(bytes, 4 + size_t{4} * i);
  return dims;
}

// The product of the dimensions, nullopt if it overflows 64 bits. An empty array needs no
// bytes, however large the other dimensions are.
std::optional<uint64_t> element_count(const std::vector<uint32_t>& dims) {
  uint64_t n = 1;
  bool overflow = false;
  for (uint32_t d : dims) {
    if (d == 0) return 0;
    if (n > UINT64_MAX / d) overflow = true;
    n *= d;
  }
  if (overflow) return std::nullopt;
  return n;
}

// Validates the header and the data length of a u8 IDX array with `rank` dimensions and
// returns the dimensions. `noun` only shapes the error messages.
std::vector<uint32_t> check_idx(std::span<const uint8_t> bytes, const std::string& source, uint8_t rank,
                                const char* noun) {
  const uint32_t expected_magic = uint32_t{kUnsignedByte} << 8 | rank;
  if (bytes.size() < 4)
    throw InputError(source + ": truncated: " + std::to_string(bytes.size()) +
                     " bytes, too short for an IDX magic number");
  const uint32_t magic = read_be32(bytes, 0);
  if (bytes[0] != 0 || bytes[1] != 0)
    throw InputError(source + ": not an IDX file: magic " + hex32(magic) + " (expected " + hex32(expected_magic) +
                     " for " + noun + ")");
  if (bytes[2] != kUnsignedByte)
    throw InputError(source + ": unsupported IDX element type " + hex32(magic) + " (only unsigned bytes, " +
                     hex32(expected_magic) + ", are supported)");
  if (bytes[3] != rank)
    throw InputError(source + ": wrong dimension count: magic " + hex32(magic) + " has " +
                     std::to_string(bytes[3]) + " dimension(s), " + noun + " need " + std::to_string(rank) +
                     " (magic " + hex32(expected_magic) + ")");
  const size_t header = 4 + size_t{4} * rank;
  if (bytes.size() < header)
    throw InputError(source + ": truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
                     std::to_string(header) + "-byte IDX header");
  const std::vector<uint32_t> dims = header_dims(bytes, rank);
  // Three 32-bit dimensions can overflow 64 bits: such a header is "truncated" by any file.
  const std::optional<uint64_t> count = element_count(dims);
  const bool overflow = !count;
  const uint64_t expected = count.value_or(0);
  const uint64_t held = bytes.size() - header;
  if (overflow || expected != held) {
    std::string says = "header says " + std::to_string(dims[0]) + " " + noun;
    if (rank == 3) says += " of " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]);
    const std::string need = overflow ? std::string("more than 2^64") : std::to_string(expected);
    if (overflow || expected > held)
      throw InputError(source + ": truncated: " + says + " (" + need + " bytes), file holds " +
                       std::to_string(held));
    throw InputError(source + ": trailing garbage: " + says + " (" + need + " bytes), file holds " +
                     std::to_string(held) + " (" + std::to_string(held - expected) + " extra)");
  }
  return dims;
}

}  // namespace

IdxImages parse_idx_images(std::span<const uint8_t> bytes, const std::string& source) {
  const auto dims = check_idx(bytes, source, 3, "images");
  IdxImages images;
  images.count = dims[0];
  images.rows = dims[1];
  images.cols = dims[2];
  images.pixels.assign(bytes.begin() + 16, bytes.end());
  return images;
}

std::vector<uint8_t> parse_idx_labels(std::span<const uint8_t> bytes, const std::string& source) {
  check_idx(bytes, source, 1, "labels");
  return {bytes.begin() + 8, bytes.end()};
}

namespace {

// A raw or gzipped IDX file. Gzipped, it is inflated no further than its header says it holds
// (plus one byte, so that trailing data is still seen): a gzip bomb is refused after that many
// bytes, not after gigabytes.
std::vector<uint8_t> read_idx_file(const std::filesystem::path& path, uint8_t rank) {
  std::vector<uint8_t> bytes = read_file(path);
  if (!is_gzip(bytes)) return bytes;
  const size_t header = 4 + size_t{4} * rank;
  const std::vector<uint8_t> head = gunzip_head(bytes, path.string(), header);
  uint64_t limit = uint64_t{4} << 30;  // gunzip's own cap, where the header cannot tell
  if (head.size() == header) {
    const std::optional<uint64_t> data = element_count(header_dims(head, rank));
    if (data && *data < limit) limit = header + *data + 1;
  }
  return gunzip(bytes, path.string(), limit);
}

}  // namespace

IdxImages read_idx_images(const std::filesystem::path& path) {
  return parse_idx_images(read_idx_file(path, 3), path.string());
}

std::vector<uint8_t> read_idx_labels(const std::filesystem::path& path) {
  return parse_idx_labels(read_idx_file(path, 1), path.string());
}

}  // namespace vkt::nn
