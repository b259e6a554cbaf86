#pragma once
// Data sets ship both raw and gzipped (MNIST's own site serves .gz, people often gunzip).
// We decide by the content (the gzip magic 1f 8b), never by the file name, so a renamed
// file still loads and a raw file that happens to end in .gz is not fed to zlib.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace vkt::nn {

// True when the bytes start with the gzip magic 1f 8b.
bool is_gzip(std::span<const uint8_t> bytes);

// Decompresses a whole gzip file (several concatenated members are allowed, as gzip(1)
// produces them). A truncated or corrupt stream, bytes after it that are not another gzip
// member, or an output larger than max_output_bytes -> InputError naming `source`.
std::vector<uint8_t> gunzip(std::span<const uint8_t> compressed, const std::string& source,
                            uint64_t max_output_bytes = uint64_t{4} << 30);

// The first `n` decompressed bytes (fewer if the stream ends or breaks before them): enough
// to read a header that says how large the whole output may be.
std::vector<uint8_t> gunzip_head(std::span<const uint8_t> compressed, const std::string& source, size_t n);

// Reads a file and gunzips it when its content is gzip; otherwise returns it as is.
std::vector<uint8_t> read_file_maybe_gzip(const std::filesystem::path& path);

}  // namespace vkt::nn
