// Models from presets and files: shapes, parameter counts, PyTorch tensor names, layout.
#include <doctest/doctest.h>

#include "nn/model/initializer.hpp"
#include "nn/model/model_spec.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

TEST_CASE("model: the seed CNN has 93,322 parameters and PyTorch's tensor names") {
  const Model m = build_model(load_model_spec("cnn"), {1, 28, 28}, 10, {}, 0);
  CHECK(m.parameter_count() == 93322);
  std::vector<std::string> names;
  for (const auto& s : m.slots()) names.push_back(s.name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"0.bias", "0.weight", "11.bias", "11.weight", "3.bias", "3.weight",
                                          "6.bias", "6.weight", "9.bias", "9.weight"});
  CHECK(m.output() == SampleShape{10, 1, 1});
  CHECK(m.shapes()[9] == SampleShape{576, 1, 1});
}

TEST_CASE("model: the CIFAR CNN and the MLP with --hidden") {
  const Model c = build_model(load_model_spec("cifar-cnn"), {3, 32, 32}, 10, {}, 0);
  CHECK(c.shapes()[9] == SampleShape{1024, 1, 1});  // 64 x 4 x 4 after the third conv
  const Model m = build_model(load_model_spec("mlp"), {1, 28, 28}, 10, {{"hidden", 256}}, 0);
  CHECK(m.parameter_count() == 784 * 256 + 256 + 256 * 10 + 10);
}

TEST_CASE("model: weights come first in the flat buffer, aligned, so L1/L2 see only weights") {
  const Model m = build_model(load_model_spec("cnn"), {1, 28, 28}, 10, {}, 0);
  uint64_t last_weight_end = 0, first_other = UINT64_MAX;
  for (const auto& s : m.slots()) {
    CHECK(s.offset % kParamAlignFloats == 0);
    if (s.info.role == ParamRole::Weight)
      last_weight_end = std::max(last_weight_end, s.offset + s.info.size());
    else
      first_other = std::min(first_other, s.offset);
  }
  CHECK(last_weight_end <= m.regularized_floats());
  CHECK(m.regularized_floats() <= first_other);
}

TEST_CASE("model: initializers have the right scale and are reproducible") {
  const Model m = build_model(load_model_spec("mlp"), {1, 28, 28}, 10, {}, 0);
  const auto a = initial_values(m, Initializer::GlorotUniform, 1), b = initial_values(m, Initializer::GlorotUniform, 1);
  CHECK(a.trained == b.trained);
  CHECK(initial_values(m, Initializer::GlorotUniform, 2).trained != a.trained);
  const ParamSlot& w = m.slots()[0];  // 1.weight (128, 784)
  const double limit = std::sqrt(6.0 / (784 + 128));
  double sum_sq = 0, max_abs = 0;
  for (uint64_t i = 0; i < w.info.size(); ++i) {
    const double v = a.trained[w.offset + i];
    sum_sq += v * v;
    max_abs = std::max(max_abs, std::fabs(v));
  }
  CHECK(max_abs <= limit);
  CHECK(std::sqrt(sum_sq / w.info.size()) == doctest::Approx(limit / std::sqrt(3.0)).epsilon(0.02));
  const auto he = initial_values(m, Initializer::HeNormal, 1);
  double he_sq = 0, he_max = 0;
  for (uint64_t i = 0; i < w.info.size(); ++i) {
    he_sq += double(he.trained[w.offset + i]) * he.trained[w.offset + i];
    he_max = std::max(he_max, std::fabs(double(he.trained[w.offset + i])));
  }
  const double sd = std::sqrt(2.0 / 784);
  CHECK(he_max <= 2 * sd + 1e-7);  // truncated at two standard deviations
  CHECK(std::sqrt(he_sq / w.info.size()) == doctest::Approx(sd * 0.88).epsilon(0.03));  // truncation shrinks sd
}

TEST_CASE("model: bad model files name the layer and the problem") {
  auto build = [](const char* text) {
    return build_model(nlohmann::json::parse(text), {1, 28, 28}, 10, {}, 0);
  };
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "wat"}]})"), doctest::Contains("unknown type 'wat'"), InputError);
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "flatten"}, {"type": "dense"}]})"),
                       doctest::Contains("layer 1 (dense): needs \"units\""), InputError);
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "flatten"}, {"type": "dense", "units": "$width"}]})"),
                       doctest::Contains("$width"), InputError);
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "flatten"}, {"type": "dense", "units": 7}]})"),
                       doctest::Contains("10 classes"), InputError);
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "conv2d", "filters": 4, "kernel": 29}]})"),
                       doctest::Contains("layer 0 (conv2d)"), InputError);
}

TEST_CASE("model: unknown fields, out-of-range settings, spatial layers after flatten and huge models are refused") {
  auto build = [](const std::string& text) {
    return build_model(nlohmann::json::parse(text), {1, 28, 28}, 10, {}, 0);
  };
  const std::string tail = R"(, {"type": "flatten"}, {"type": "dense", "units": 10}]})";
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "conv2d", "filters": 4, "kernel": 3, "strides": 2})" + tail),
                       doctest::Contains("layer 0 (conv2d): unknown field \"strides\" (known: "), InputError);
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "relu", "activation": "tanh"})" + tail),
                       doctest::Contains("unknown field \"activation\" (this layer takes none)"), InputError);
  for (const char* bn : {R"("momentum": -1)", R"("momentum": 2)", R"("momentum": 0)", R"("eps": 0)"}) {
    CAPTURE(bn);
    CHECK_THROWS_WITH_AS(build(std::string(R"({"layers": [{"type": "batchnorm", )") + bn + "}" + tail),
                         doctest::Contains("must be in (0, 1]"), InputError);
  }
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "maxpool2d", "kernel": 2, "stride": 0})" + tail),
                       doctest::Contains("\"stride\" must be at least 1"), InputError);
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "dropout", "rate": 1.5})" + tail),
                       doctest::Contains("\"rate\" must be in [0, 0.99]"), InputError);
  CHECK_THROWS_WITH_AS(build(R"({"layers": [{"type": "flatten"}, {"type": "conv2d", "filters": 4, "kernel": 1},
                                  {"type": "flatten"}, {"type": "dense", "units": 10}]})"),
                       doctest::Contains("layer 1 (conv2d) comes after flatten"), InputError);
  std::string many = R"({"layers": [)";
  for (int i = 0; i < 10000; ++i) many += R"({"type": "relu"},)";
  many += R"({"type": "flatten"}, {"type": "dense", "units": 10}]})";
  CHECK_THROWS_WITH_AS(build(many), doctest::Contains("10002 layers; the limit is 1000"), InputError);
  // The defaults and the seed models still build.
  CHECK_NOTHROW(build(R"({"layers": [{"type": "batchnorm"}, {"type": "maxpool2d"})" + tail));
  // A variable given for the model that no layer refers to would change nothing.
  const ModelVars dropout = {{"dropout", 0.5}};
  CHECK_THROWS_WITH_AS(build_model(load_model_spec("cnn"), {1, 28, 28}, 10, dropout, 0),
                       doctest::Contains("no variable $dropout (given 0.5); it would have no effect (this model's: $hidden)"),
                       InputError);
  CHECK_THROWS_WITH_AS(build_model(nlohmann::json::parse(R"({"layers": [{"type": "flatten"}, {"type": "dense", "units": 10}]})"),
                                   {1, 28, 28}, 10, {{"hiden", 64}}, 0),
                       doctest::Contains("no variable $hiden (given 64); it would have no effect (this model has none)"),
                       InputError);
  CHECK_NOTHROW(build_model(load_model_spec("mlp"), {1, 28, 28}, 10, dropout, 0));
}
