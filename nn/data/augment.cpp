#include "nn/data/augment.hpp"

#include <charconv>
#include <cmath>
#include <set>

#include "util/error.hpp"
#include "util/format.hpp"

namespace vkt::nn {
namespace {

constexpr const char* kForm = "a comma list of crop:N, flip, rotate:DEG, scale:S, or none";

double number_after(std::string_view item, std::string_view key, double lo, double hi) {
  const std::string_view text = item.substr(key.size() + 1);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    throw InputError("--augment " + std::string(item) + ": '" + std::string(text) + "' is not a number");
  if (v < lo || v > hi)
    throw InputError("--augment " + std::string(item) + ": " + std::string(key) + " must be in [" +
                     format_significant(lo, 4) + ", " + format_significant(hi, 4) + "]");
  return v;
}

}  // namespace

std::string Augment::str() const {
  std::string s;
  auto add = [&](const std::string& item) { s += (s.empty() ? "" : ",") + item; };
  if (crop) add("crop:" + std::to_string(crop));
  if (flip) add("flip");
  if (rotate > 0) add("rotate:" + format_significant(rotate, 6));
  if (scale > 0) add("scale:" + format_significant(scale, 6));
  return s.empty() ? "none" : s;
}

void Augment::check_image(uint32_t height, uint32_t width) const {
  if (crop > 0 && (crop >= height || crop >= width))
    throw InputError("--augment crop:" + std::to_string(crop) + " does not fit " + std::to_string(height) + "x" +
                         std::to_string(width) + " images: the crop would move the whole image out",
                     "use a crop below " + std::to_string(std::min(height, width)));
}

Augment parse_augment(std::string_view text) {
  Augment a;
  if (text.empty() || text == "none") return a;
  std::set<std::string> seen;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    const std::string key(item.substr(0, item.find(':')));
    if (!seen.insert(key).second) throw InputError("--augment names " + key + " twice");
    const bool has_value = item.find(':') != std::string_view::npos;
    if (key == "flip" && !has_value) {
      a.flip = true;
    } else if (key == "crop" && has_value) {
      const double v = number_after(item, key, 0, 64);
      if (v != std::floor(v)) throw InputError("--augment " + std::string(item) + ": crop is a whole number of pixels");
      a.crop = uint32_t(v);
    } else if (key == "rotate" && has_value) {
      a.rotate = number_after(item, key, 0, 180);
    } else if (key == "scale" && has_value) {
      a.scale = number_after(item, key, 0, 0.5);
    } else {
      throw InputError("--augment: cannot read '" + std::string(item) + "': expected " + kForm);
    }
  }
  return a;
}

}  // namespace vkt::nn
