// The tuning tests' main: doctest, failing a run whose filter selected no test case
// (tests/no_empty_run.hpp). The tuning layer has no device, so there is no validation layer
// to watch here (tests/main.cpp does that for everything else).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

#include "tests/no_empty_run.hpp"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit()) return result;
  if (vkt::test::FilterCount::selected == 0) {
    std::cerr << "FAILED: no test case matched the filter (a test name ctest could not pass intact?)\n";
    return 1;
  }
  return result;
}
