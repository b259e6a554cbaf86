#pragma once
// Files the user keeps (checkpoints, journals, caches) are never left half-written:
// write_file_atomic writes a temporary sibling, fsyncs it, renames it over the target and
// fsyncs the directory, so a crash leaves either the old file or the new one.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace vkt {

// Reads a whole regular file. Throws InputError naming the file if it cannot be opened, is a
// directory or anything but a regular file, or cannot be read.
std::vector<uint8_t> read_file(const std::filesystem::path& path);

// InputError unless `path` can be written by write_file_atomic: not empty, a file name of at
// most 255 bytes, not an existing directory, device, fifo or socket (only regular files are
// replaced), and its nearest existing ancestor a directory we may write in. Commands call it
// for every output before they start working, so no result is lost to a bad path at the end.
void check_writable_target(const std::filesystem::path& path);

// check_writable_target's checks (the temp file it creates is its own probe), then temp name +
// fsync + rename + directory fsync. Creates missing parent directories. Removes temp siblings left by writers of the same file that died.
void write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> bytes);

// CRC-32 (zlib's polynomial), chainable: crc32(b, crc32(a)) == crc32(a ++ b).
uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

}  // namespace vkt
