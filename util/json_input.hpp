#pragma once
// JSON that comes from outside the program (files, a command's output, a journal's settings).
// Parsed with a depth limit, since every recursive walk of a deeply nested document (dump,
// comparison, our own readers) would exhaust the stack; and every failure is an InputError
// that names where the text came from, in words rather than the library's exception codes.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vkt {

// Deeper than any file vktrain reads needs (a model or search space is 3-4 levels deep).
inline constexpr int kMaxJsonDepth = 64;

// The document, or InputError "<source>: not valid JSON: <why>" / "...: nested deeper than 64
// levels" / "...: the number ... does not fit a double".
nlohmann::json parse_json(std::string_view text, const std::string& source);
// The same for a file's bytes.
nlohmann::json parse_json(std::span<const uint8_t> bytes, const std::string& source);

// The document, or nullopt where parse_json would throw (for text that may not be JSON).
std::optional<nlohmann::json> try_parse_json(std::string_view text);

// A nlohmann::json exception's message without its "[json.exception.type_error.302] " code.
std::string json_error_text(const std::exception& e);

}  // namespace vkt
