#pragma once
// Included by each test binary's main (once): remembers how many test cases passed the
// command line's filter, so main can fail a run that selected none. ctest runs one test case
// per process by name; a name that CMake or doctest cannot pass through intact (a ';' splits
// it into two ctest entries) would otherwise "pass" while running nothing.
#include <doctest/doctest.h>

namespace vkt::test {

struct FilterCount : doctest::IReporter {
  static inline unsigned selected = 0;
  explicit FilterCount(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override { selected = stats.numTestCasesPassingFilters; }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace vkt::test

REGISTER_LISTENER("filter_count", 1, vkt::test::FilterCount);
