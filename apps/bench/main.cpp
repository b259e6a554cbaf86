// vktrain_bench, the program behind `vktrain bench` (apps/bench.cpp runs it): every kernel on
// the seed models' shapes (bench_table()), checked against the CPU reference first, then timed
// with GPU timestamps: median of --repeats runs after warm-up. A program of its own so that the
// double-precision reference (tests/reference/) stays out of the vktrain binary.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/bench/bench_case.hpp"
#include "apps/cli_main.hpp"
#include "util/error.hpp"

namespace vkt::app {
namespace {

struct BenchOptions {
  std::string op, shape, device, autotune = "full";
  int repeats = 7, warmup = 2;
  bool json = false, list = false, profile = false;
};

bool op_matches(const std::string& op, const std::string& want) {
  return want.empty() || op == want || op.rfind(want + "_", 0) == 0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void run_bench(const BenchOptions& o) {
  std::vector<BenchEntry> rows;
  for (auto& e : bench_table())
    if (op_matches(e.op, o.op) && (o.shape.empty() || e.shape.find(o.shape) != std::string::npos)) rows.push_back(e);
  if (rows.empty()) throw InputError("no benchmark matches --op '" + o.op + "' --shape '" + o.shape + "'");
  if (o.list) {
    for (const auto& e : rows) std::cout << e.op << "\t" << e.shape << "\n";
    return;
  }
  ContextOptions co;
  co.device = o.device;
  co.autotune = parse_autotune_mode(o.autotune);
  Context ctx(co);
  if (!o.json)
    std::printf("device: %s (%s), median of %d runs after %d warm-up\n%-24s %-40s %-9s %10s %10s\n",
                ctx.info().name.c_str(), ctx.info().type_name().c_str(), o.repeats, o.warmup, "op", "shape", "kernel",
                "ms", "GFLOP/s");
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : rows) {
    BenchCase c = e.make(ctx);
    Stream s(ctx);
    if (c.record_setup) c.record_setup(s);
    s.timestamp("start");
    s.profile(o.profile);
    c.record(s);
    s.profile(false);
    s.timestamp("end");
    s.run();
    if (const std::string err = c.check(); !err.empty())
      throw Error("bench " + e.op + " [" + e.shape + "]: result differs from the reference: " + err);
    for (int i = 1; i < o.warmup; ++i) s.run();
    std::vector<double> ms;
    for (int i = 0; i < o.repeats; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      s.run();
      const double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      double device_ms = wall;  // without timestamps the whole submission is timed
      if (o.profile) {
        device_ms = 0;
        bool timed = false;
        for (const auto& t : s.timings()) {
          if (t.label == "start") timed = true;
          else if (timed) device_ms += t.ms;
        }
      } else {
        for (const auto& t : s.timings())
          if (t.label == "end") device_ms = t.ms;
      }
      ms.push_back(device_ms);
    }
    const double m = median(ms);
    if (o.profile && !o.json) {  // the last run's dispatches, in recording order
      bool timed = false;
      for (const auto& t : s.timings()) {
        if (t.label == "start") {
          timed = true;
          continue;
        }
        if (timed && t.label != "end") std::printf("    %-30s %10.3f ms\n", t.label.c_str(), t.ms);
      }
    }
    const double rate = c.flops > 0 ? c.flops / (m * 1e6) : c.bytes / (m * 1e6);
    const char* unit = c.flops > 0 ? "gflops" : "gbps";
    if (o.json) {
      out.push_back({{"op", e.op}, {"shape", e.shape}, {"kernel", c.variant}, {"ms", m}, {unit, rate},
                     {"runs", o.repeats}, {"device", ctx.info().name}});
    } else {
      std::printf("%-24s %-40s %-9s %10.3f %10.1f%s\n", e.op.c_str(), e.shape.c_str(), c.variant.c_str(), m, rate,
                  c.flops > 0 ? "" : " GB/s");
      std::fflush(stdout);
    }
  }
  if (o.json) std::cout << out.dump(2) << "\n";
}

}  // namespace
}  // namespace vkt::app

int main(int argc, char** argv) {
  using namespace vkt::app;
  CLI::App app{"Time every kernel on the seed models' shapes (checked against a CPU reference first)",
               "vktrain bench"};
  BenchOptions o;
  app.add_option("--op", o.op, "Only this op (a prefix: 'conv2d' selects all three passes)");
  app.add_option("--shape", o.shape, "Only shapes containing this text (e.g. 'b64', 'cnn.conv2')");
  app.add_option("--device", o.device, "Device index or name substring (see `vktrain devices`)");
  app.add_option("--autotune", o.autotune, "Kernel choice as `train --autotune` makes it: off, cached or full")
      ->check(CLI::IsMember({"off", "cached", "full"}))
      ->capture_default_str();
  app.add_option("--repeats", o.repeats, "Timed runs per row (median reported)")->check(CLI::Range(1, 1000));
  app.add_option("--warmup", o.warmup, "Untimed runs first (the first also checks the result)")->check(CLI::Range(1, 100));
  app.add_flag("--json", o.json, "One JSON object per row: op, shape, kernel, ms, gflops");
  app.add_flag("--list", o.list, "List the rows without running them");
  app.add_flag("--profile", o.profile, "Also print each dispatch's time (last run)");
  app.callback([&o] { run_bench(o); });
  return run_cli(app, argc, argv, 0);
}
