// End-to-end tests of `vktrain train` / `eval` on the real Fashion-MNIST (Debian's
// dataset-fashion-mnist, installed by scripts/install-deps.sh), kept small for CI:
// subsets of the training set, the MLP, one or a few epochs.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "nn/checkpoint/safetensors.hpp"
#include "nn/checkpoint/training_state.hpp"
#include "tests/cli_runner.hpp"
#include "tests/temp_dir.hpp"
#include "util/error.hpp"

using namespace vkt::test;
using json = nlohmann::json;

namespace {

const char* kData = "/usr/share/datasets/fashion-mnist";

bool have_data() { return std::filesystem::exists(std::string(kData) + "/train-images-idx3-ubyte.gz"); }

std::vector<json> jsonl(const std::string& path) { return read_jsonl(path); }

// One line on stderr, and no validation-layer message (the child inherits VKTRAIN_VALIDATE).
void check_one_line_error(const CommandResult& r, int code, const std::string& must_contain) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == code);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find(must_contain) != std::string::npos);
  // The layer's messages read "Validation Error: [ VUID-..." (our own may speak of a
  // validation set, in lower case).
  CHECK(r.err.find("Validation") == std::string::npos);
  CHECK(r.err.find("VUID") == std::string::npos);
}

}  // namespace

TEST_CASE("train: the MLP learns Fashion-MNIST: >= 0.75 test accuracy after one epoch on 6,000 images") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  // Batch 32 (Keras' default): 6,000 images at batch 128 are only 46 steps, too few for any
  // framework to pass 0.75 (we measured 0.74 there, 0.77 at batch 32 and 64).
  const auto r = run_vktrain({"train", "--model", "mlp", "--batch", "32", "--lr", "8e-4", "--epochs", "1",
                              "--train-limit", "6000", "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("validation") == std::string::npos);
  const json j = last_json_line(r.out);
  CHECK(j["status"] == "ok");
  CHECK(j["epochs"] == 1);
  CHECK(j["test_acc"].get<double>() >= 0.75);
  CHECK(j["val_acc"].get<double>() >= 0.70);
  CHECK(j["img_per_s"].get<double>() > 0);
}

TEST_CASE("train: an interrupted and resumed run has bit-identical losses") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::vector<std::string> common = {"train", "--model", "mlp", "--batch", "64", "--lr", "1e-3",
                                           "--train-limit", "1500", "--val-split", "0.1", "--seed", "7",
                                           "--optimizer", "adam"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = common;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const auto full = run_vktrain(with({"--epochs", "3", "--log", (dir / "full.jsonl").string()}));
  REQUIRE(full.exit_code == 0);
  const auto first = run_vktrain(with({"--epochs", "1", "--checkpoint", (dir / "state.bin").string()}));
  REQUIRE(first.exit_code == 0);
  const auto rest = run_vktrain(
      with({"--epochs", "3", "--resume", (dir / "state.bin").string(), "--log", (dir / "resumed.jsonl").string()}));
  INFO("stderr: " << rest.err);
  REQUIRE(rest.exit_code == 0);
  const auto a = jsonl((dir / "full.jsonl").string()), b = jsonl((dir / "resumed.jsonl").string());
  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 2);
  for (int e = 0; e < 2; ++e) {
    CHECK(b[e]["epoch"] == a[e + 1]["epoch"]);
    CHECK(b[e]["loss"].get<double>() == a[e + 1]["loss"].get<double>());  // exact, not approximate
    CHECK(b[e]["val_acc"].get<double>() == a[e + 1]["val_acc"].get<double>());
  }
  // A different seed really changes the curve (the comparison above can fail).
  const auto other = run_vktrain({"train", "--model", "mlp", "--batch", "64", "--train-limit", "1500", "--seed", "8",
                                  "--epochs", "1", "--log", (dir / "other.jsonl").string()});
  REQUIRE(other.exit_code == 0);
  CHECK(jsonl((dir / "other.jsonl").string())[0]["loss"].get<double>() != a[0]["loss"].get<double>());
}

TEST_CASE("train: a run killed mid-epoch resumes from its --checkpoint-every state with the same losses") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  // The CNN, so that an epoch (20 steps) lasts long enough to be killed in.
  const std::vector<std::string> common = {"train", "--model", "cnn", "--train-limit", "1400", "--val-split", "0.1",
                                           "--seed", "9", "--epochs", "2"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = common;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  REQUIRE(run_vktrain(with({"--log", (dir / "full.jsonl").string()})).exit_code == 0);
  const std::string state = (dir / "state.bin").string();
  auto mid_epoch_state = [&]() -> std::optional<vkt::nn::TrainingState> {
    try {
      auto s = vkt::nn::read_training_state(state);
      if (s.position_in_epoch > 0) return s;
    } catch (const vkt::Error&) {  // not written yet
    }
    return std::nullopt;
  };
  const pid_t pid = start_vktrain(with({"--checkpoint", state, "--checkpoint-every", "1"}));
  for (int poll = 0; poll < 3000 && !mid_epoch_state(); ++poll) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  wait_exit(pid);
  const auto killed_at = mid_epoch_state();
  REQUIRE_MESSAGE(killed_at.has_value(), "the run was not killed mid-epoch");
  MESSAGE("killed after step " << killed_at->step << ", " << killed_at->position_in_epoch << " images into epoch "
                               << killed_at->epoch + 1);

  const auto rest = run_vktrain(with({"--resume", state, "--log", (dir / "resumed.jsonl").string()}));
  INFO("stderr: " << rest.err);
  REQUIRE(rest.exit_code == 0);
  const auto a = jsonl((dir / "full.jsonl").string()), b = jsonl((dir / "resumed.jsonl").string());
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2 - killed_at->epoch);
  for (size_t e = 0; e < b.size(); ++e) {
    const json& whole = a[e + killed_at->epoch];
    CHECK(b[e]["epoch"] == whole["epoch"]);
    CHECK(b[e]["loss"].get<double>() == whole["loss"].get<double>());  // exact: the epoch's sums were restored
    CHECK(b[e]["train_acc"].get<double>() == whole["train_acc"].get<double>());
    CHECK(b[e]["val_loss"].get<double>() == whole["val_loss"].get<double>());
  }
  check_one_line_error(run_vktrain(with({"--checkpoint-every", "5"})), 2, "--checkpoint");
}

TEST_CASE("train: the CNN (direct conv1, Winograd conv2 and conv3, fused pools) resumes bit-identically") {
  // The CNN's route through the kernels differs from the MLP's above: every one of them must
  // be deterministic (no atomics, fixed reduction orders) for a resumed curve to match exactly.
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::vector<std::string> common = {"train", "--model", "cnn", "--train-limit", "640", "--val-split", "0.1",
                                           "--seed", "5"};
  auto with = [&](std::vector<std::string> extra) {
    auto a = common;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  REQUIRE(run_vktrain(with({"--epochs", "2", "--log", (dir / "full.jsonl").string()})).exit_code == 0);
  REQUIRE(run_vktrain(with({"--epochs", "1", "--checkpoint", (dir / "state.bin").string()})).exit_code == 0);
  REQUIRE(run_vktrain(with({"--epochs", "2", "--resume", (dir / "state.bin").string(), "--log",
                            (dir / "resumed.jsonl").string()}))
              .exit_code == 0);
  const auto a = jsonl((dir / "full.jsonl").string()), b = jsonl((dir / "resumed.jsonl").string());
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 1);
  CHECK(b[0]["loss"].get<double>() == a[1]["loss"].get<double>());  // exact
  CHECK(b[0]["val_acc"].get<double>() == a[1]["val_acc"].get<double>());
}

TEST_CASE("train: saved weights use PyTorch names and eval reproduces the test accuracy") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const auto r = run_vktrain({"train", "--model", "mlp", "--epochs", "1", "--train-limit", "2000", "--save",
                              (dir / "w.safetensors").string(), "--json"});
  REQUIRE(r.exit_code == 0);
  const double trained = last_json_line(r.out)["test_acc"].get<double>();
  const auto st = vkt::nn::read_safetensors((dir / "w.safetensors").string());
  std::vector<std::string> names;
  for (const auto& t : st.tensors) names.push_back(t.name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"1.bias", "1.weight", "4.bias", "4.weight"});
  for (const auto& t : st.tensors)
    if (t.name == "1.weight") CHECK(t.shape == std::vector<int64_t>{128, 784});

  const auto e = run_vktrain({"eval", "--model", "mlp", "--weights", (dir / "w.safetensors").string(), "--json"});
  INFO("stderr: " << e.err);
  REQUIRE(e.exit_code == 0);
  CHECK(last_json_line(e.out)["test_acc"].get<double>() == trained);
}

TEST_CASE("train --l1 --l2: the log reports the weights' penalty beside the data loss, as the saved weights give it") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string log = (dir / "log.jsonl").string(), weights = (dir / "w.safetensors").string();
  const double l1 = 2e-4, l2 = 1e-3;
  const auto r = run_vktrain({"train", "--model", "mlp", "--epochs", "1", "--train-limit", "640", "--l1",
                              std::to_string(l1), "--l2", std::to_string(l2), "--log", log, "--save", weights});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("l1/l2 penalty") != std::string::npos);
  const auto rows = jsonl(log);
  REQUIRE(rows.size() == 1);
  // Weights only, as the optimizer penalizes them (biases are not regularized), in double.
  double want = 0;
  for (const auto& t : vkt::nn::read_safetensors(weights).tensors)
    if (t.name.ends_with(".weight"))
      for (const float w : t.data) want += l1 * std::fabs(w) + l2 * double(w) * w;
  REQUIRE(want > 0);
  // A float two-pass sum over ~100k terms: a few ulp per partial, far below 1e-5 relative.
  CHECK(std::fabs(rows[0]["penalty"].get<double>() - want) <= 1e-5 * want);
  // Without --l1/--l2 there is no penalty to report.
  const std::string plain = (dir / "plain.jsonl").string();
  REQUIRE(run_vktrain({"train", "--model", "mlp", "--epochs", "1", "--train-limit", "640", "--log", plain}).exit_code == 0);
  CHECK_FALSE(jsonl(plain)[0].contains("penalty"));
}

TEST_CASE("train: a batch-norm model's saved weights hold num_batches_tracked, and eval loads them") {
  // PyTorch's load_state_dict(strict=True) needs every state_dict entry, this int64 included.
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string model = (dir / "bn.json").string(), weights = (dir / "bn.safetensors").string();
  std::ofstream(model) << R"({"layers": [{"type": "flatten"}, {"type": "dense", "units": 32},
    {"type": "batchnorm"}, {"type": "relu"}, {"type": "dense", "units": 10}]})";
  const auto r = run_vktrain({"train", "--model", model, "--epochs", "1", "--train-limit", "640", "--batch", "64",
                              "--val-split", "0.1", "--save", weights, "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const int64_t steps = last_json_line(r.out)["steps"].get<int64_t>();
  CHECK(steps > 0);
  const auto st = vkt::nn::read_safetensors(weights);
  std::vector<std::string> names;
  for (const auto& t : st.tensors) {
    names.push_back(t.name);
    if (t.name == "2.num_batches_tracked") {
      CHECK(t.is_int);
      CHECK(t.shape.empty());
      CHECK(t.ints == std::vector<int64_t>{steps});  // one batch per training step
    }
  }
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"1.bias", "1.weight", "2.bias", "2.num_batches_tracked", "2.running_mean",
                                          "2.running_var", "2.weight", "4.bias", "4.weight"});
  const auto e = run_vktrain({"eval", "--model", model, "--weights", weights, "--json"});
  INFO("eval stderr: " << e.err);
  CHECK(e.exit_code == 0);
}

TEST_CASE("train: a huge learning rate diverges and is reported as diverged") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  const auto r = run_vktrain({"train", "--model", "mlp", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "2",
                              "--train-limit", "2000", "--json"});
  CHECK(r.exit_code == 1);
  CHECK(last_json_line(r.out)["status"] == "diverged");
  CHECK(r.err.find("diverged") != std::string::npos);
}

TEST_CASE("train: bad input is one line on stderr and exit code 2") {
  TempDir dir;
  check_one_line_error(run_vktrain({"train", "--data", "/nonexistent/dir", "--epochs", "1"}), 2, "/nonexistent/dir");
  check_one_line_error(run_vktrain({"train", "--model", "no-such-model"}), 2, "no-such-model");
  check_one_line_error(run_vktrain({"train", "--optimizer", "bogus", "--print-model"}), 2, "bogus");
  check_one_line_error(run_vktrain({"train", "--epochs", "0"}), 2, "epochs");
  check_one_line_error(run_vktrain({"train", "--model", "cnn", "--dropout", "0.5", "--print-model"}), 2, "$dropout");
  {
    std::ofstream((dir / "bad.json").string()) << R"({"layers": [{"type": "dense", "units": 10}]})";
    check_one_line_error(run_vktrain({"train", "--model", (dir / "bad.json").string(), "--print-model"}), 2, "flatten");
  }
  // Wrong magic in a data file.
  std::filesystem::create_directories((dir / "data").string());
  for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                        "t10k-labels-idx1-ubyte"})
    std::ofstream((dir / "data" / f).string()) << "this is not an IDX file";
  check_one_line_error(run_vktrain({"train", "--data", (dir / "data").string()}), 2, "train-images-idx3-ubyte");
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  check_one_line_error(run_vktrain({"train", "--device", "99", "--train-limit", "500"}), 2, "99");
  std::ofstream((dir / "state.bin").string()) << "garbage";
  check_one_line_error(
      run_vktrain({"train", "--model", "mlp", "--train-limit", "500", "--resume", (dir / "state.bin").string()}), 2,
      "state.bin");
  check_one_line_error(run_vktrain({"eval", "--model", "mlp", "--weights", (dir / "missing.safetensors").string()}), 2,
                       "missing.safetensors");
}

TEST_CASE("train: fusing ReLUs and max pools into the convolution or dense layer before them changes no result") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  const std::vector<std::string> args = {"train", "--model", "cnn", "--train-limit", "256", "--val-split", "0.02",
                                         "--epochs", "1", "--json"};
  const auto fused = run_vktrain(args);
  setenv("VKTRAIN_NO_FUSION", "1", 1);
  const auto separate = run_vktrain(args);
  unsetenv("VKTRAIN_NO_FUSION");
  REQUIRE(fused.exit_code == 0);
  REQUIRE(separate.exit_code == 0);
  const json a = last_json_line(fused.out), b = last_json_line(separate.out);
  // max(v, 0) in the GEMM epilogue is the same operation as the ReLU pass, and the fused pool
  // picks the same maxima; but the fused pool's weight-gradient sums visit the output pixels
  // in window order instead of raster order, and on a CPU driver the fused conv2 takes the
  // Winograd route (its transforms round differently again), so they may differ by float
  // rounding: equal to 1e-5, not bit for bit.
  CHECK(a["test_loss"].get<double>() == doctest::Approx(b["test_loss"].get<double>()).epsilon(1e-5));
  CHECK(a["val_loss"].get<double>() == doctest::Approx(b["val_loss"].get<double>()).epsilon(1e-5));
}

TEST_CASE("train: fusion planning on mixed layer patterns changes no result") {
  // Each pattern the planner must tell apart: a pool without a ReLU (fused), a ReLU before a
  // 3x3 stride-2 max pool (only the ReLU fuses), a ReLU before an average pool (only the ReLU),
  // and a pool whose output is 1x1. SGD, so a wrong gradient magnitude would show (Adam's first
  // steps are nearly sign(g)). Tolerance as in the test above: window-order sums round differently.
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::string model = (dir / "mixed.json").string();
  std::ofstream(model) << R"({"layers": [
    {"type": "conv2d", "filters": 4, "kernel": 3}, {"type": "maxpool2d", "kernel": 2},
    {"type": "conv2d", "filters": 6, "kernel": 3, "padding": 1}, {"type": "relu"},
    {"type": "maxpool2d", "kernel": 3, "stride": 2},
    {"type": "conv2d", "filters": 8, "kernel": 3, "padding": 1}, {"type": "relu"}, {"type": "avgpool2d", "kernel": 2},
    {"type": "conv2d", "filters": 8, "kernel": 2}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
    {"type": "flatten"}, {"type": "dense", "units": 10}]})";
  const std::vector<std::string> args = {"train",   "--model",       model,  "--optimizer", "sgd",  "--lr",
                                         "0.3",     "--init",        "he_normal", "--train-limit", "1024",
                                         "--epochs", "1",            "--json"};
  const auto fused = run_vktrain(args);
  setenv("VKTRAIN_NO_FUSION", "1", 1);
  const auto separate = run_vktrain(args);
  unsetenv("VKTRAIN_NO_FUSION");
  INFO("stderr: " << fused.err << separate.err);
  REQUIRE(fused.exit_code == 0);
  REQUIRE(separate.exit_code == 0);
  const json a = last_json_line(fused.out), b = last_json_line(separate.out);
  CHECK(a["test_loss"].get<double>() < 2.25);  // it learned (ln 10 = 2.303): the comparison means something
  CHECK(a["test_loss"].get<double>() == doctest::Approx(b["test_loss"].get<double>()).epsilon(1e-4));
  CHECK(a["val_loss"].get<double>() == doctest::Approx(b["val_loss"].get<double>()).epsilon(1e-4));

  // And the planner chose as described: the per-kernel profile names what ran.
  setenv("VKTRAIN_PROFILE", "1", 1);
  const auto profiled = run_vktrain(args);
  unsetenv("VKTRAIN_PROFILE");
  REQUIRE(profiled.exit_code == 0);
  const auto ran = [&](const char* kernel) { return profiled.out.find(kernel) != std::string::npos; };
  // The two 2x2 pools: in the texel GEMM's epilogue, or (another GEMM kernel) a pass of their own.
  CHECK((ran("gemm_texel_maxpool") || ran("maxpool2x2_windows_forward")));
  CHECK(ran("maxpool2x2_windows_backward"));
  CHECK(profiled.out.find("maxpool2d_forward") != std::string::npos);           // the 3x3 pool
  CHECK(profiled.out.find("avgpool2d_forward") != std::string::npos);
  CHECK(profiled.out.find("activation_forward") == std::string::npos);  // every ReLU in an epilogue
}

TEST_CASE("train: a bad output path is refused before training, and a failing run leaves an existing log as it was") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::vector<std::string> small = {"train", "--model", "mlp", "--epochs", "1", "--train-limit", "512"};
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = small;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_vktrain(args);
  };
  check_one_line_error(with({"--save", ""}), 2, "--save: must not be empty");
  check_one_line_error(with({"--checkpoint", "/dev/full"}), 2, "/dev/full: exists and is not a regular file");
  check_one_line_error(with({"--log", "/dev/full"}), 2, "/dev/full: exists and is not a regular file");
  check_one_line_error(with({"--save", dir.path().string()}), 2, "is a directory");
  check_one_line_error(with({"--save", (dir / std::string(300, 'w')).string()}), 2, "longer than 255 bytes");
  check_one_line_error(run_vktrain({"train", "--model", dir.path().string(), "--epochs", "1"}), 2,
                       "is a directory, not a file");
  check_one_line_error(with({"--resume", dir.path().string()}), 2, "is a directory, not a file");
  // None of them trained: the refusals come before the data is even loaded.
  for (const auto& name : {"--save", "--checkpoint", "--log"}) CHECK(!std::filesystem::exists(dir / name));

  const std::string log = (dir / "kept.jsonl").string();
  std::ofstream(log) << "{\"epoch\": 1, \"from\": \"an earlier run\"}\n";
  const auto diverged = with({"--optimizer", "sgd", "--lr", "1e30", "--log", log});
  CHECK(diverged.exit_code == 1);
  CHECK(read_text(log) == "{\"epoch\": 1, \"from\": \"an earlier run\"}\n");
  const auto ok = with({"--log", log});
  REQUIRE(ok.exit_code == 0);
  const std::string written = read_text(log);
  CHECK(written.find("an earlier run") == std::string::npos);  // a new run's log replaces the old one
  CHECK(std::count(written.begin(), written.end(), '\n') == 1);
  CHECK(json::parse(written)["epoch"] == 1);
}

TEST_CASE("train: NaN, infinite, negative and absurd numbers are refused in a short line, exit 2") {
  const auto refused = [](std::vector<std::string> extra, const std::string& must_contain) {
    std::vector<std::string> args = {"train", "--model", "mlp", "--epochs", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_vktrain(args);
    check_one_line_error(r, 2, must_contain);
    CHECK(r.err.size() < 200);  // no 309-digit range
  };
  refused({"--lr", "-1"}, "--lr: must be above 0, got -1");
  refused({"--lr", "inf"}, "--lr: must be a finite number");
  refused({"--decay", "nan"}, "--decay: must be a finite number, got 'nan'");
  refused({"--l2", "-0.5"}, "--l2: must not be negative");
  refused({"--warmup", "1e18"}, "--warmup");
  refused({"--train-limit", "0"}, "--train-limit");
  refused({"--momentum", "2"}, "--momentum");
  refused({"--patience", "2", "--val-split", "0"}, "--val-split 0 leaves no validation set");
  refused({"--optimizer", "adam", "--initial-accumulator", "0.1"}, "--initial-accumulator is Adagrad's");
  refused({"--schedule", "cosine", "--factor", "0.5"}, "--factor is for --schedule plateau, not cosine");
  refused({"--schedule", "step", "--final-lr-ratio", "0.1"}, "--final-lr-ratio is for --schedule linear or cosine");
  refused({"--schedule", "linear", "--final-lr-ratio", "1.5"}, "the final rate ratio must be in [0, 1]");
  refused({"--schedule", "plateau", "--factor", "1"}, "the plateau factor must be in (0, 1)");
  refused({"--schedule", "plateau", "--val-split", "0"}, "--val-split 0 leaves no validation set");
  refused({"--optimizer", "adagrad", "--initial-accumulator", "-1"}, "must not be negative");
  refused({"--optimizer", "adagrad", "--initial-accumulator", "0", "--eps", "0"}, "adagrad needs eps > 0 or an initial accumulator > 0");
}

TEST_CASE("cli: an unknown command is named, and tune refuses a study with no validation set") {
  check_one_line_error(run_vktrain({"bogus"}), 2, "unknown command 'bogus'");
  TempDir dir;
  const auto r = run_vktrain({"tune", "--space", std::string(VKTRAIN_SOURCE_DIR) + "/examples/mlp_space.json", "--study",
                              (dir / "s.vkts").string(), "--val-split", "0", "--trials", "1"});
  check_one_line_error(r, 2, "--val-split 0 leaves no validation set");
  CHECK(!std::filesystem::exists(dir / "s.vkts"));
}

TEST_CASE("train: a training state missing or doubling a moment, with an absurd epoch, or weights holding NaN is refused") {
  REQUIRE_MESSAGE(have_data(), "this test trains on Fashion-MNIST: apt-get install dataset-fashion-mnist");
  TempDir dir;
  const std::vector<std::string> run = {"train", "--model", "mlp", "--epochs", "2", "--train-limit", "512",
                                        "--optimizer", "adam"};
  const std::string good = (dir / "good.state").string();
  const std::vector<std::string> first = {"train", "--model", "mlp", "--epochs", "1", "--train-limit", "512",
                                          "--optimizer", "adam", "--checkpoint", good};
  REQUIRE(run_vktrain(first).exit_code == 0);
  const vkt::nn::TrainingState state = vkt::nn::read_training_state(good);
  REQUIRE(state.optimizer_moments.size() == 2);

  const auto resume_from = [&](const vkt::nn::TrainingState& s, const std::string& must_contain) {
    const std::string path = (dir / "bad.state").string();
    vkt::nn::write_training_state(path, s);
    std::vector<std::string> args = run;
    args.insert(args.end(), {"--resume", path});
    check_one_line_error(run_vktrain(args), 2, must_contain);
  };
  auto missing = state;
  missing.optimizer_moments.pop_back();
  resume_from(missing, "optimizer state 'v' is missing");
  auto doubled = state;
  doubled.optimizer_moments[1] = doubled.optimizer_moments[0];
  resume_from(doubled, "optimizer state 'm' appears twice");
  auto far = state;
  far.epoch = 4294967295u;
  resume_from(far, "epoch 4294967295");
  auto nan = state;
  nan.parameters.at(0).data.at(3) = std::nanf("");
  resume_from(nan, "holds NaN at element 3");
  // The untouched state still resumes.
  std::vector<std::string> args = run;
  args.insert(args.end(), {"--resume", good});
  CHECK(run_vktrain(args).exit_code == 0);
}
