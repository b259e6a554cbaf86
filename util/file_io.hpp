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

// Reads a whole file. Throws InputError naming the file if it cannot be opened or read.
std::vector<uint8_t> read_file(const std::filesystem::path& path);

// temp name + fsync + rename + directory fsync. Creates missing parent directories.
void write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> bytes);

// CRC-32 (zlib's polynomial), chainable: crc32(b, crc32(a)) == crc32(a ++ b).
uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

}  // namespace vkt
