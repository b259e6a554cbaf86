#pragma once
// A hyperparameter value and a set of them. Values keep their JSON kind (an int stays an int)
// so a trial's params print and journal exactly as the user wrote the space.
#include <cstdint>
#include <map>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace vkt::tune {

using Value = std::variant<double, int64_t, std::string, bool>;

// Ordered by name so iteration, printing and hashing never depend on insertion order.
using Params = std::map<std::string, Value>;

// Number/string/bool JSON -> Value; throws InputError naming `where` for anything else.
Value value_from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json value_to_json(const Value& v);

nlohmann::json params_to_json(const Params& params);
Params params_from_json(const nlohmann::json& j);

// Shortest text that reads back to the same value: 0.001, 128, adam, true.
std::string to_string(const Value& v);
// For tables and progress lines: doubles with 4 significant digits (lr=0.001235), the rest
// as to_string. Commands that must reproduce a trial use to_string.
std::string to_display_string(const Value& v);

bool is_numeric(const Value& v);
double as_double(const Value& v);  // numeric values only; throws Error otherwise

}  // namespace vkt::tune
