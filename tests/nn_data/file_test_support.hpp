#pragma once
// Helpers for tests that read and write files: a private temporary directory and a check
// that a call fails with an InputError whose one-line message contains what it should.
// Used by tests/nn_data and tests/checkpoint.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "tests/temp_dir.hpp"

namespace vkt::test {

void write_bytes(const std::filesystem::path& path, std::span<const uint8_t> bytes);

// Runs `call`; returns the InputError's message, or "" (and fails the test) if it threw
// anything else or nothing. The message must be a single line.
template <typename Call>
std::string input_error_message(Call&& call);

// gzip-compresses bytes (one member), as gzip(1) would.
std::vector<uint8_t> gzip_bytes(std::span<const uint8_t> raw);

}  // namespace vkt::test

#include "util/error.hpp"

template <typename Call>
std::string vkt::test::input_error_message(Call&& call) {
  try {
    call();
  } catch (const vkt::InputError& e) {
    const std::string message = e.what();
    CHECK_MESSAGE(message.find('\n') == std::string::npos, "message is not one line: " << message);
    return message;
  } catch (const std::exception& e) {
    FAIL_CHECK("expected InputError, got another exception: " << e.what());
    return "";
  }
  FAIL_CHECK("expected InputError, nothing was thrown");
  return "";
}
