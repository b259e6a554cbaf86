// The tuning tests' main: plain doctest. The tuning layer has no device, so there is no
// validation layer to watch here (tests/main.cpp does that for everything else).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
