#pragma once
// Internal helpers shared by the reference ops: argument-size checks. A reference that silently
// reads past a wrongly sized buffer would make kernel tests meaningless, so every op checks the
// size of every buffer it is given and throws std::invalid_argument naming the argument.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace vkt::ref::detail {

inline void check_size(size_t actual, size_t expected, const char* op, const char* arg) {
  if (actual != expected)
    throw std::invalid_argument(std::string(op) + ": argument '" + arg + "' has " + std::to_string(actual) +
                                " elements, expected " + std::to_string(expected));
}

// Optional buffers (a bias, a gradient nobody needs) are passed as empty spans.
inline void check_optional_size(size_t actual, size_t expected, const char* op, const char* arg) {
  if (actual != 0) check_size(actual, expected, op, arg);
}

inline void check_positive(int64_t v, const char* op, const char* what) {
  if (v <= 0) throw std::invalid_argument(std::string(op) + ": " + what + " must be positive");
}

}  // namespace vkt::ref::detail
