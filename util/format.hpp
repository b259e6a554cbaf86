#pragma once
// Small text helpers shared by error messages and tables.
#include <cstdint>
#include <string>

namespace vkt {

// 1536 -> "1.5 KiB", 134217728 -> "128 MiB"
std::string format_bytes(uint64_t bytes);

// The text as given when short, else its first `max_chars` characters and "...": for quoting
// user input in a one-line error, whatever its length.
std::string shortened(const std::string& text, size_t max_chars = 60);

}  // namespace vkt
