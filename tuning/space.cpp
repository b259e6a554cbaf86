#include "tuning/space.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "tuning/hash.hpp"
#include "util/error.hpp"
#include "util/file_io.hpp"
#include "util/json_input.hpp"

namespace vkt::tune {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw InputError("search space: '" + key + "': " + what,
                   "see examples/mlp_space.json for the format of a search space");
}

std::string num(double x) { return to_string(Value(x)); }

double number_field(const json& obj, const std::string& key, const char* field) {
  if (!obj.contains(field)) bad(key, std::string("missing \"") + field + "\"");
  const json& v = obj.at(field);
  if (!v.is_number()) bad(key, std::string("\"") + field + "\" must be a number, got " + v.dump());
  const double x = v.get<double>();
  if (!std::isfinite(x)) bad(key, std::string("\"") + field + "\" must be finite");
  return x;
}

int64_t whole_field(const json& obj, const std::string& key, const char* field) {
  const double x = number_field(obj, key, field);
  if (x != std::floor(x) || std::fabs(x) > 9e15)
    bad(key, std::string("\"") + field + "\" must be a whole number for an int parameter, got " + num(x));
  return static_cast<int64_t>(x);
}

bool bool_field(const json& obj, const std::string& key, const char* field) {
  if (!obj.contains(field)) return false;
  if (!obj.at(field).is_boolean()) bad(key, std::string("\"") + field + "\" must be true or false");
  return obj.at(field).get<bool>();
}

void only_fields(const json& obj, const std::string& key, std::initializer_list<const char*> allowed) {
  for (const auto& item : obj.items()) {  // not a structured binding: clang 14 cannot capture one
    const std::string& field = item.key();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return field == a; }))
      bad(key, "unknown field \"" + field + "\" for a " + obj.at("type").get<std::string>() + " parameter");
  }
}

void parse_bounds(const json& obj, Parameter& p) {
  if (p.low >= p.high) bad(p.name, "low (" + num(p.low) + ") must be less than high (" + num(p.high) + ")");
  p.log = bool_field(obj, p.name, "log");
  if (p.log && p.low <= 0) bad(p.name, "log scale needs low > 0, got low = " + num(p.low));
}

void parse_float(const json& obj, Parameter& p) {
  only_fields(obj, p.name, {"type", "low", "high", "log", "values", "count", "when"});
  p.low = number_field(obj, p.name, "low");
  p.high = number_field(obj, p.name, "high");
  parse_bounds(obj, p);
  if (obj.contains("values") && obj.contains("count")) bad(p.name, "give either \"values\" or \"count\", not both");
  if (obj.contains("values")) {
    const json& values = obj.at("values");
    if (!values.is_array() || values.empty()) bad(p.name, "\"values\" must be a non-empty list of numbers");
    for (const json& v : values) {
      if (!v.is_number()) bad(p.name, "\"values\" must hold numbers, got " + v.dump());
      const double x = v.get<double>();
      if (x < p.low || x > p.high) bad(p.name, "value " + num(x) + " is outside [" + num(p.low) + ", " + num(p.high) + "]");
      p.grid_values.push_back(x);
    }
  } else if (obj.contains("count")) {
    const json& c = obj.at("count");
    if (!c.is_number_integer() || c.get<int64_t>() < 2 || c.get<int64_t>() > 100000)
      bad(p.name, "\"count\" must be a whole number from 2 to 100000, got " + c.dump());
    const int64_t n = c.get<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
      const double t = double(i) / double(n - 1);
      p.grid_values.push_back(i == n - 1 ? p.high
                              : p.log    ? std::exp(std::log(p.low) + t * (std::log(p.high) - std::log(p.low)))
                                         : p.low + t * (p.high - p.low));
    }
  }
}

void parse_int(const json& obj, Parameter& p) {
  only_fields(obj, p.name, {"type", "low", "high", "log", "step", "when"});
  p.low = double(whole_field(obj, p.name, "low"));
  p.high = double(whole_field(obj, p.name, "high"));
  parse_bounds(obj, p);
  if (obj.contains("step")) {
    p.step = whole_field(obj, p.name, "step");
    if (p.step <= 0) bad(p.name, "\"step\" must be positive, got " + std::to_string(p.step));
    if (p.log && p.step != 1) bad(p.name, "\"step\" cannot be combined with \"log\"");
    const auto range = int64_t(p.high) - int64_t(p.low);
    if (range % p.step != 0)
      bad(p.name, "step " + std::to_string(p.step) + " does not divide the range " + num(p.low) + ".." + num(p.high));
  }
}

void parse_categorical(const json& obj, Parameter& p) {
  only_fields(obj, p.name, {"type", "choices", "when"});
  if (!obj.contains("choices") || !obj.at("choices").is_array() || obj.at("choices").empty())
    bad(p.name, "\"choices\" must be a non-empty list");
  for (const json& c : obj.at("choices")) {
    if (!(c.is_number() || c.is_string() || c.is_boolean()))
      bad(p.name, "choices must be numbers, strings or bools, got " + c.dump());
    const Value v = value_from_json(c, p.name);
    for (const Value& seen : p.choices)
      if (values_equal(seen, v)) bad(p.name, "choice " + c.dump() + " appears twice");
    p.choices.push_back(v);
  }
}

void parse_when(const json& obj, Parameter& p) {
  if (!obj.contains("when")) return;
  const json& when = obj.at("when");
  if (!when.is_object() || when.empty()) bad(p.name, "\"when\" must be an object like {\"optimizer\": \"momentum\"}");
  for (const auto& [key, allowed] : when.items()) {
    Condition c{key, {}};
    const json list = allowed.is_array() ? allowed : json::array({allowed});
    if (list.empty()) bad(p.name, "\"when\": \"" + key + "\" lists no values");
    for (const json& v : list) {
      if (!(v.is_number() || v.is_string() || v.is_boolean()))
        bad(p.name, "\"when\": \"" + key + "\" must name numbers, strings or bools, got " + v.dump());
      c.allowed.push_back(value_from_json(v, p.name));
    }
    p.when.push_back(std::move(c));
  }
}

Parameter parse_parameter(const std::string& key, const json& obj) {
  Parameter p;
  p.name = key;
  if (!obj.contains("type") || !obj.at("type").is_string())
    bad(key, "a parameter object needs \"type\": \"float\", \"int\" or \"categorical\"");
  const std::string type = obj.at("type").get<std::string>();
  if (type == "float") {
    p.type = ParamType::Float;
    parse_float(obj, p);
  } else if (type == "int") {
    p.type = ParamType::Int;
    parse_int(obj, p);
  } else if (type == "categorical") {
    p.type = ParamType::Categorical;
    parse_categorical(obj, p);
  } else {
    bad(key, "unknown type \"" + type + "\" (expected float, int or categorical)");
  }
  parse_when(obj, p);
  return p;
}

// Every `when` must name an existing key other than itself, with values that key can take,
// and the conditions must not form a cycle. Returns the parameters in dependency order.
std::vector<Parameter> check_and_order(std::vector<Parameter> params, const Params& fixed) {
  std::map<std::string, const Parameter*> by_name;
  for (const auto& p : params) by_name[p.name] = &p;
  for (const auto& p : params) {
    for (const auto& c : p.when) {
      if (c.key == p.name) bad(p.name, "\"when\" refers to the parameter itself");
      if (fixed.count(c.key)) continue;
      const auto it = by_name.find(c.key);
      if (it == by_name.end()) bad(p.name, "\"when\" names unknown key \"" + c.key + "\"");
      for (const Value& v : c.allowed)
        if (!is_legal(*it->second, v))
          bad(p.name, "\"when\": " + to_string(v) + " is not a possible value of \"" + c.key + "\"");
    }
  }
  // Kahn's algorithm; the ready set is sorted so the order is the same on every run.
  std::vector<Parameter> ordered;
  std::set<std::string> placed;
  while (ordered.size() < params.size()) {
    bool progressed = false;
    for (const auto& p : params) {  // params arrive sorted by name (JSON object order)
      if (placed.count(p.name)) continue;
      const bool ready = std::all_of(p.when.begin(), p.when.end(),
                                     [&](const Condition& c) { return fixed.count(c.key) || placed.count(c.key); });
      if (!ready) continue;
      ordered.push_back(p);
      placed.insert(p.name);
      progressed = true;
      break;  // restart from the smallest name so ties always resolve alphabetically
    }
    if (!progressed) {
      for (const auto& p : params)
        if (!placed.count(p.name)) bad(p.name, "\"when\" conditions form a cycle");
    }
  }
  return ordered;
}

json canonical_parameter(const Parameter& p) {
  json j;
  switch (p.type) {
    case ParamType::Float:
      j = {{"type", "float"}, {"low", p.low}, {"high", p.high}, {"log", p.log}};
      if (!p.grid_values.empty()) j["values"] = p.grid_values;
      break;
    case ParamType::Int:
      j = {{"type", "int"}, {"low", int64_t(p.low)}, {"high", int64_t(p.high)}, {"log", p.log}, {"step", p.step}};
      break;
    case ParamType::Categorical: {
      j = {{"type", "categorical"}, {"choices", json::array()}};
      for (const Value& c : p.choices) j["choices"].push_back(value_to_json(c));
      break;
    }
  }
  if (!p.when.empty()) {
    json when = json::object();
    for (const auto& c : p.when) {
      json allowed = json::array();
      for (const Value& v : c.allowed) allowed.push_back(value_to_json(v));
      when[c.key] = allowed;
    }
    j["when"] = when;
  }
  return j;
}

}  // namespace

bool values_equal(const Value& a, const Value& b) {
  if (is_numeric(a) && is_numeric(b)) return as_double(a) == as_double(b);
  return a == b;
}

bool is_legal(const Parameter& p, const Value& v) {
  switch (p.type) {
    case ParamType::Float: {
      if (!is_numeric(v)) return false;
      const double x = as_double(v);
      return x >= p.low && x <= p.high;
    }
    case ParamType::Int: {
      if (!is_numeric(v)) return false;
      const double x = as_double(v);
      if (x != std::floor(x) || x < p.low || x > p.high) return false;
      return (int64_t(x) - int64_t(p.low)) % p.step == 0;
    }
    case ParamType::Categorical:
      return std::any_of(p.choices.begin(), p.choices.end(), [&](const Value& c) { return values_equal(c, v); });
  }
  return false;
}

Space Space::parse(const json& j) {
  if (!j.is_object()) throw InputError("search space: expected a JSON object of option names, got " + j.dump().substr(0, 60));
  Space space;
  std::vector<Parameter> params;
  for (const auto& [key, value] : j.items()) {
    if (key.empty()) bad(key, "empty option name");
    if (value.is_object()) {
      params.push_back(parse_parameter(key, value));
    } else if (value.is_number() || value.is_string() || value.is_boolean()) {
      space.fixed_[key] = value_from_json(value, key);
    } else {
      bad(key, "expected a fixed number/string/bool or a parameter object, got " + value.dump());
    }
  }
  space.params_ = check_and_order(std::move(params), space.fixed_);
  space.canonical_ = json::object();
  for (const auto& [key, value] : space.fixed_) space.canonical_[key] = value_to_json(value);
  for (const auto& p : space.params_) space.canonical_[p.name] = canonical_parameter(p);
  return space;
}

Space Space::load(const std::filesystem::path& file) {
  const auto bytes = read_file(file);
  const json j = parse_json(bytes, file.string());
  try {
    return parse(j);
  } catch (const InputError& e) {
    throw InputError(file.string() + ": " + e.what(), e.hint());
  }
}

const Parameter* Space::find(const std::string& name) const {
  for (const auto& p : params_)
    if (p.name == name) return &p;
  return nullptr;
}

bool Space::is_active(const Parameter& p, const Params& so_far) const {
  for (const auto& c : p.when) {
    auto it = so_far.find(c.key);
    if (it == so_far.end()) it = fixed_.find(c.key);
    if (it == fixed_.end()) return false;  // the key itself is inactive
    const Value& v = it->second;
    if (std::none_of(c.allowed.begin(), c.allowed.end(), [&](const Value& a) { return values_equal(a, v); }))
      return false;
  }
  return true;
}

void Space::check(const Params& params) const {
  Params searched;
  for (const auto& [name, value] : params) {
    if (fixed_.count(name)) continue;
    if (!find(name)) throw InputError("params: \"" + name + "\" is not in the search space");
  }
  for (const auto& p : params_) {
    const auto it = params.find(p.name);
    const bool active = is_active(p, searched);
    if (active && it == params.end()) throw InputError("params: \"" + p.name + "\" is missing");
    if (!active && it != params.end()) throw InputError("params: \"" + p.name + "\" is set but its \"when\" does not hold");
    if (!active) continue;
    if (!is_legal(p, it->second)) throw InputError("params: \"" + p.name + "\" = " + to_string(it->second) + " is not a legal value");
    searched[p.name] = it->second;
  }
}

Params Space::with_fixed(const Params& searched) const {
  Params all = fixed_;
  for (const auto& [name, value] : searched) all[name] = value;
  return all;
}

uint64_t Space::space_hash() const { return fnv1a64(canonical_.dump()); }

}  // namespace vkt::tune
