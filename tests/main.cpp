// The test binary's main: doctest, plus the rules that tests run with the Khronos validation
// layer (ctest sets VKTRAIN_VALIDATE=1) and fail on any message it reports, and that a run
// whose filter selected no test case fails (tests/no_empty_run.hpp); the runtime tests' own
// shaders (tests/runtime/shaders/) are added to those the library embeds.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

#include "runtime/instance.hpp"
#include "runtime/shaders.hpp"
#include "tests/no_empty_run.hpp"

namespace vkt {
const std::vector<EmbeddedShader>& test_shaders();  // tests/runtime/shaders/, generated
}

int main(int argc, char** argv) {
  vkt::add_embedded_shaders(vkt::test_shaders());
  doctest::Context context(argc, argv);
  int result = context.run();
  if (context.shouldExit()) return result;
  if (vkt::test::FilterCount::selected == 0) {
    std::cerr << "FAILED: no test case matched the filter (a test name ctest could not pass intact?)\n";
    return 1;
  }
  const auto& messages = vkt::validation_messages();
  if (!messages.empty()) {
    std::cerr << "FAILED: the validation layer reported " << messages.size() << " message(s); first: "
              << messages.front() << "\n";
    if (result == 0) result = 1;
  }
  return result;
}
