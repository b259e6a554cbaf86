#pragma once
// The search space: which `vktrain train` options a study varies and how.
//
// A space is a JSON object; each key is a train option name (without dashes) or any name a
// model file refers to. A value is either fixed (a number, string or bool passed to every
// trial) or a parameter object:
//   {"type": "float", "low": 1e-4, "high": 1e-2, "log": true}          uniform / log-uniform
//   {"type": "float", "low": 0.1, "high": 0.5, "values": [0.1, 0.3]}   + explicit grid points
//   {"type": "float", "low": 0.1, "high": 0.5, "count": 5}             + evenly spaced grid
//   {"type": "int", "low": 64, "high": 256, "step": 32}                 (or "log": true)
//   {"type": "categorical", "choices": ["adam", "sgd"]}
// Any parameter may carry "when": {"optimizer": "momentum"} (or a list of allowed values):
// it exists only in trials where every named key has one of the given values.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tuning/value.hpp"

namespace vkt::tune {

enum class ParamType { Float, Int, Categorical };

struct Condition {
  std::string key;             // another parameter or a fixed key
  std::vector<Value> allowed;  // the condition holds when the key's value is one of these
};

struct Parameter {
  std::string name;
  ParamType type = ParamType::Float;
  double low = 0, high = 0;  // Float and Int (Int bounds are whole numbers)
  bool log = false;
  int64_t step = 1;                 // Int only
  std::vector<double> grid_values;  // Float only: from "values" or "count"; empty = no grid
  std::vector<Value> choices;       // Categorical only
  std::vector<Condition> when;      // all must hold

  bool numeric() const { return type != ParamType::Categorical; }
};

class Space {
 public:
  // Throws InputError whose one-line message names the offending key and what is wrong.
  static Space parse(const nlohmann::json& j);
  static Space load(const std::filesystem::path& file);  // parse() of a JSON file

  // Searched parameters, ordered so that every parameter comes after the keys its `when`
  // names (ties by name): a single pass in this order can decide which ones are active.
  const std::vector<Parameter>& parameters() const { return params_; }
  const Params& fixed() const { return fixed_; }
  const Parameter* find(const std::string& name) const;

  // Does `p`'s condition hold, given the values decided so far (fixed keys are looked up too)?
  bool is_active(const Parameter& p, const Params& so_far) const;

  // Throws InputError unless `params` has exactly the active parameters, each a legal value
  // (fixed keys may be present or not). Guards samplers and params read back from journals.
  void check(const Params& params) const;
  Params with_fixed(const Params& searched) const;  // what a trial actually trains with

  // Defaults spelled out, keys sorted: equal spaces give equal text whatever their layout.
  const nlohmann::json& canonical_json() const { return canonical_; }
  uint64_t space_hash() const;

 private:
  std::vector<Parameter> params_;
  Params fixed_;
  nlohmann::json canonical_;
};

// Numeric values compare by value (64 == 64.0); others by kind and content.
bool values_equal(const Value& a, const Value& b);

// Is `v` a legal value of `p` (inside bounds, on the int step grid, one of the choices)?
bool is_legal(const Parameter& p, const Value& v);

}  // namespace vkt::tune
