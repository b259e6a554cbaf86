#pragma once
// Small text helpers shared by error messages and tables.
#include <cstdint>
#include <string>

namespace vkt {

// 1536 -> "1.5 KiB", 134217728 -> "128 MiB"
std::string format_bytes(uint64_t bytes);

}  // namespace vkt
