#include "util/format.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "util/error.hpp"

namespace vkt {

std::string format_bytes(uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  if (u == 0 || v == static_cast<double>(static_cast<uint64_t>(v)))
    std::snprintf(buf, sizeof buf, "%.0f %s", v, units[u]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

std::string format_significant(double v, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::string shortened(const std::string& text, size_t max_chars) {
  return text.size() <= max_chars ? text : text.substr(0, max_chars) + "...";
}

uint64_t parse_bytes(const std::string& text, const std::string& what) {
  const auto bad = [&] {
    return InputError(what + ": '" + shortened(text) + "' is not a size", "give bytes or e.g. 512M, 1.5GiB, 2GB");
  };
  const char* begin = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(v) || v <= 0 || !std::isdigit(static_cast<unsigned char>(*begin))) throw bad();
  std::string unit(end);
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  static const std::pair<const char*, double> units[] = {
      {"", 1},         {"B", 1},         {"K", 0x1p10},     {"KiB", 0x1p10}, {"KB", 1e3},   {"M", 0x1p20},
      {"MiB", 0x1p20}, {"MB", 1e6},      {"G", 0x1p30},     {"GiB", 0x1p30}, {"GB", 1e9},   {"T", 0x1p40},
      {"TiB", 0x1p40}, {"TB", 1e12}};
  for (const auto& [name, scale] : units)
    if (unit == name) {
      const double bytes = std::floor(v * scale);
      if (bytes < 1 || bytes > 0x1p63) throw bad();
      return static_cast<uint64_t>(bytes);
    }
  throw bad();
}

}  // namespace vkt
