#include "tuning/value.hpp"

#include <charconv>

#include "util/error.hpp"
#include "util/format.hpp"

namespace vkt::tune {

Value value_from_json(const nlohmann::json& j, const std::string& where) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_number_float()) return j.get<double>();
  if (j.is_string()) return j.get<std::string>();
  throw InputError(where + ": expected a number, string or bool, got " + j.dump());
}

nlohmann::json value_to_json(const Value& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

nlohmann::json params_to_json(const Params& params) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : params) j[name] = value_to_json(value);
  return j;
}

Params params_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw InputError("params: expected a JSON object, got " + j.dump());
  Params params;
  for (const auto& [name, value] : j.items()) params[name] = value_from_json(value, name);
  return params;
}

std::string to_string(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, *d);  // shortest round-trip form
    return std::string(buf, res.ptr);
  }
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

std::string to_display_string(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) return format_significant(*d, 4);
  return to_string(v);
}

bool is_numeric(const Value& v) {
  return std::holds_alternative<double>(v) || std::holds_alternative<int64_t>(v);
}

double as_double(const Value& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  throw Error("internal: value " + to_string(v) + " is not numeric");
}

}  // namespace vkt::tune
