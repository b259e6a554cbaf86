#include "util/json_input.hpp"

#include "util/error.hpp"

namespace vkt {
namespace {

class TooDeep : public std::exception {};

nlohmann::json parse_limited(std::string_view text) {
  const auto depth_guard = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxJsonDepth) throw TooDeep();
    return true;
  };
  return nlohmann::json::parse(text.begin(), text.end(), depth_guard);
}

}  // namespace

std::string json_error_text(const std::exception& e) {
  std::string what = e.what();
  if (what.rfind("[json.exception.", 0) == 0) {
    const size_t end = what.find("] ");
    if (end != std::string::npos) what.erase(0, end + 2);
  }
  return what;
}

nlohmann::json parse_json(std::string_view text, const std::string& source) {
  try {
    return parse_limited(text);
  } catch (const TooDeep&) {
    throw InputError(source + ": nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  } catch (const nlohmann::json::out_of_range& e) {  // 406: a number beyond double's range
    throw InputError(source + ": " + json_error_text(e) + " (beyond the range of a double)");
  } catch (const nlohmann::json::exception& e) {
    throw InputError(source + ": not valid JSON: " + json_error_text(e));
  }
}

nlohmann::json parse_json(std::span<const uint8_t> bytes, const std::string& source) {
  return parse_json(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), source);
}

std::optional<nlohmann::json> try_parse_json(std::string_view text) {
  try {
    return parse_limited(text);
  } catch (const TooDeep&) {
  } catch (const nlohmann::json::exception&) {
  }
  return std::nullopt;
}

}  // namespace vkt
