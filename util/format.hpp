#pragma once
// Small text helpers shared by error messages and tables.
#include <cstdint>
#include <string>

namespace vkt {

// 1536 -> "1.5 KiB", 134217728 -> "128 MiB"
std::string format_bytes(uint64_t bytes);

// "123", "512K", "256MiB", "1.5G", "2 GB": bytes. K, M, G, T and KiB... are powers of 1024,
// KB, MB, GB, TB powers of 1000. Anything else, or 0, throws InputError naming `what`.
uint64_t parse_bytes(const std::string& text, const std::string& what);

// `digits` significant digits, printf's %g: 0.00123456789 -> "0.001235" (4), 1e-07 -> "1e-07".
// For tables people read; files that must round-trip keep every digit.
std::string format_significant(double v, int digits);

// The text as given when short, else its first `max_chars` characters and "...": for quoting
// user input in a one-line error, whatever its length.
std::string shortened(const std::string& text, size_t max_chars = 60);

}  // namespace vkt
