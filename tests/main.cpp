// The test binary's main: doctest, plus the rule that tests run with the Khronos validation
// layer (ctest sets VKTRAIN_VALIDATE=1) and fail on any message it reports.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

#include "runtime/instance.hpp"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  int result = context.run();
  if (context.shouldExit()) return result;
  const auto& messages = vkt::validation_messages();
  if (!messages.empty()) {
    std::cerr << "FAILED: the validation layer reported " << messages.size() << " message(s); first: "
              << messages.front() << "\n";
    if (result == 0) result = 1;
  }
  return result;
}
