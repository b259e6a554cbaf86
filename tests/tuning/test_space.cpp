#include <doctest/doctest.h>

#include <cmath>

#include "tuning/normalize.hpp"
#include "tuning/space.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::tune;
using nlohmann::json;

namespace {

const json kSpecSpace = json::parse(R"({
  "lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true},
  "hidden": {"type": "int", "low": 64, "high": 256, "step": 32},
  "batch": {"type": "categorical", "choices": [32, 64, 128, 256]},
  "momentum": {"type": "float", "low": 0.5, "high": 0.99, "when": {"optimizer": "momentum"}},
  "optimizer": {"type": "categorical", "choices": ["adam", "sgd", "momentum"]},
  "dropout": 0.2
})");

// The InputError message for a space, or "" if it parses.
std::string parse_error(const std::string& text) {
  try {
    Space::parse(json::parse(text));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("tuning: space parses the documented example") {
  const Space space = Space::parse(kSpecSpace);
  REQUIRE(space.parameters().size() == 5);
  CHECK(space.fixed().at("dropout") == Value(0.2));
  const Parameter* lr = space.find("lr");
  REQUIRE(lr);
  CHECK(lr->type == ParamType::Float);
  CHECK(lr->log);
  const Parameter* hidden = space.find("hidden");
  CHECK(hidden->step == 32);
  CHECK(space.find("batch")->choices.size() == 4);
  CHECK(std::holds_alternative<int64_t>(space.find("batch")->choices[0]));

  // "momentum" depends on "optimizer", so it must come after it in the order.
  size_t opt = 0, mom = 0;
  for (size_t i = 0; i < space.parameters().size(); ++i) {
    if (space.parameters()[i].name == "optimizer") opt = i;
    if (space.parameters()[i].name == "momentum") mom = i;
  }
  CHECK(opt < mom);
  const Parameter& m = *space.find("momentum");
  CHECK(space.is_active(m, {{"optimizer", std::string("momentum")}}));
  CHECK_FALSE(space.is_active(m, {{"optimizer", std::string("adam")}}));
  CHECK_FALSE(space.is_active(m, {}));
}

TEST_CASE("tuning: space hash is canonical") {
  const Space a = Space::parse(kSpecSpace);
  // Same space, other key order and explicit defaults: same hash.
  json reordered = json::parse(R"({"dropout": 0.2,
    "optimizer": {"type": "categorical", "choices": ["adam", "sgd", "momentum"]},
    "momentum": {"when": {"optimizer": ["momentum"]}, "type": "float", "low": 0.5, "high": 0.99, "log": false},
    "batch": {"type": "categorical", "choices": [32, 64, 128, 256]},
    "hidden": {"type": "int", "low": 64, "high": 256, "step": 32},
    "lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true}})");
  CHECK(Space::parse(reordered).space_hash() == a.space_hash());
  json changed = kSpecSpace;
  changed["hidden"]["high"] = 224;
  CHECK(Space::parse(changed).space_hash() != a.space_hash());
}

TEST_CASE("tuning: every bad space names the key and the problem") {
  struct Case {
    const char* space;
    const char* key;
    const char* what;
  };
  const Case cases[] = {
      {R"({"lr": {"type": "double", "low": 0, "high": 1}})", "'lr'", "unknown type"},
      {R"({"lr": {"low": 0, "high": 1}})", "'lr'", "needs \"type\""},
      {R"({"lr": {"type": "float", "low": 0.1, "high": 0.01}})", "'lr'", "must be less than high"},
      {R"({"lr": {"type": "float", "low": 0, "high": 0.01, "log": true}})", "'lr'", "log scale needs low > 0"},
      {R"({"lr": {"type": "float", "high": 0.01}})", "'lr'", "missing \"low\""},
      {R"({"lr": {"type": "float", "low": "a", "high": 0.01}})", "'lr'", "must be a number"},
      {R"({"lr": {"type": "float", "low": 0, "high": 1, "hight": 2}})", "'lr'", "unknown field \"hight\""},
      {R"({"lr": {"type": "float", "low": 0, "high": 1, "values": [2]}})", "'lr'", "outside"},
      {R"({"lr": {"type": "float", "low": 0, "high": 1, "count": 1}})", "'lr'", "\"count\""},
      {R"({"lr": {"type": "float", "low": 0, "high": 1, "count": 3, "values": [0.5]}})", "'lr'", "not both"},
      {R"({"hidden": {"type": "int", "low": 64, "high": 250, "step": 32}})", "'hidden'", "does not divide the range"},
      {R"({"hidden": {"type": "int", "low": 64, "high": 256, "step": 0}})", "'hidden'", "must be positive"},
      {R"({"hidden": {"type": "int", "low": 64.5, "high": 256}})", "'hidden'", "whole number"},
      {R"({"hidden": {"type": "int", "low": 0, "high": 256, "log": true}})", "'hidden'", "log scale needs low > 0"},
      {R"({"hidden": {"type": "int", "low": 64, "high": 256, "step": 32, "log": true}})", "'hidden'", "cannot be combined"},
      {R"({"batch": {"type": "categorical", "choices": []}})", "'batch'", "non-empty"},
      {R"({"batch": {"type": "categorical"}})", "'batch'", "non-empty"},
      {R"({"batch": {"type": "categorical", "choices": [32, [64]]}})", "'batch'", "numbers, strings or bools"},
      {R"({"batch": {"type": "categorical", "choices": [32, 32]}})", "'batch'", "appears twice"},
      {R"({"momentum": {"type": "float", "low": 0, "high": 1, "when": {"optimizr": "momentum"}}})", "'momentum'", "unknown key \"optimizr\""},
      {R"({"optimizer": {"type": "categorical", "choices": ["adam"]},
           "momentum": {"type": "float", "low": 0, "high": 1, "when": {"optimizer": "momentun"}}})", "'momentum'", "not a possible value"},
      {R"({"momentum": {"type": "float", "low": 0, "high": 1, "when": {"momentum": 1}}})", "'momentum'", "itself"},
      {R"({"a": {"type": "categorical", "choices": [1], "when": {"b": 1}},
           "b": {"type": "categorical", "choices": [1], "when": {"a": 1}}})", "'a'", "cycle"},
      {R"({"dropout": null})", "'dropout'", "expected a fixed"},
      {R"({"dropout": [0.1, 0.2]})", "'dropout'", "expected a fixed"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.space);
    const std::string message = parse_error(c.space);
    CHECK(message.find(c.key) != std::string::npos);
    CHECK(message.find(c.what) != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
  CHECK(parse_error("[1, 2]").find("expected a JSON object") != std::string::npos);
}

TEST_CASE("tuning: space accepts unknown keys and conditions on fixed keys") {
  const Space space = Space::parse(json::parse(R"({
    "model": "cnn", "my_kernel_size": {"type": "int", "low": 3, "high": 7, "step": 2},
    "filters": {"type": "int", "low": 8, "high": 64, "log": true, "when": {"model": "cnn"}}})"));
  CHECK(space.parameters().size() == 2);
  CHECK(space.is_active(*space.find("filters"), {}));
}

TEST_CASE("tuning: normalized coordinates round-trip and respect log scale") {
  const Space space = Space::parse(kSpecSpace);
  const Parameter& lr = *space.find("lr");
  CHECK(to_unit(lr, 1e-3) == doctest::Approx(0.5));
  CHECK(as_double(from_unit(lr, 0.5)) == doctest::Approx(1e-3));
  CHECK(as_double(from_unit(lr, 1.7)) == doctest::Approx(1e-2));  // clamped
  const Parameter& hidden = *space.find("hidden");
  for (int64_t h = 64; h <= 256; h += 32) CHECK(std::get<int64_t>(from_unit(hidden, to_unit(hidden, h))) == h);
  CHECK(std::get<int64_t>(from_unit(hidden, 0.51)) == 160);
  const Parameter& batch = *space.find("batch");
  for (const Value& c : batch.choices) CHECK(values_equal(from_unit(batch, to_unit(batch, c)), c));
  CHECK(values_equal(from_unit(batch, 1.0), int64_t(256)));
}

TEST_CASE("tuning: params check, with_fixed and JSON") {
  const Space space = Space::parse(kSpecSpace);
  Params p{{"lr", 1e-3}, {"hidden", int64_t(128)}, {"batch", int64_t(64)}, {"optimizer", std::string("adam")}};
  CHECK_NOTHROW(space.check(p));
  p["momentum"] = 0.9;
  CHECK_THROWS_AS(space.check(p), InputError);  // momentum without optimizer=momentum
  p["optimizer"] = std::string("momentum");
  CHECK_NOTHROW(space.check(p));
  p["hidden"] = int64_t(100);
  CHECK_THROWS_AS(space.check(p), InputError);  // off the step grid

  const Params all = space.with_fixed({{"lr", 1e-3}});
  CHECK(all.at("dropout") == Value(0.2));
  const json j = params_to_json(all);
  CHECK(j["lr"].get<double>() == 1e-3);
  CHECK(params_from_json(j) == all);
}

TEST_CASE("tuning: the example spaces parse") {
  const Space mlp = Space::load(std::string(VKTRAIN_SOURCE_DIR) + "/examples/mlp_space.json");
  CHECK(mlp.parameters().size() == 4);
  CHECK(mlp.find("lr")->log);
  CHECK(mlp.find("hidden")->step == 32);
  const Space cnn = Space::load(std::string(VKTRAIN_SOURCE_DIR) + "/examples/cnn_space.json");
  CHECK(cnn.parameters().size() == 4);
  CHECK(cnn.find("init")->choices.size() == 2);
}
