// Learning-rate schedules, step blocks and the optimizer / schedule name parsers: host only.
//
// Tolerances: none. Schedule::lr evaluates the same double expressions as ref::, so the rates
// must agree exactly (==). step_values casts double results to float, so its fields must equal
// float(the double value) exactly too.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "nn/optim/optimizer.hpp"
#include "nn/optim/plateau.hpp"
#include "nn/optim/schedule.hpp"
#include "nn/optim/step_values.hpp"
#include "tests/reference/schedule.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

const int64_t kSteps[] = {0, 1, 2, 5, 9, 10, 11, 99, 100, 101, 1000, 123457};

// The ref:: rate for `s` at t, without warm-up.
double ref_rate(const Schedule& s, double lr, int64_t t) {
  switch (s.kind) {
    case ScheduleKind::Constant: return ref::lr_constant(lr, t);
    case ScheduleKind::Step: return ref::lr_step(lr, s.gamma, s.step_size, t);
    case ScheduleKind::Exponential: return ref::lr_exponential(lr, s.gamma, s.decay_steps, t);
    case ScheduleKind::InverseTime: return ref::lr_inverse_time(lr, s.alpha, s.decay_steps, t);
    case ScheduleKind::Cosine: return ref::lr_cosine(lr, s.T, s.min_ratio, t);
    case ScheduleKind::Linear: return ref::lr_linear(lr, s.T, s.min_ratio, t);
    case ScheduleKind::Plateau: return lr;  // between epoch ends: the rate the rule has reached
  }
  return NAN;
}

std::vector<Schedule> schedules() {
  std::vector<Schedule> v;
  Schedule s;
  v.push_back(s);
  s.kind = ScheduleKind::Step, s.gamma = 0.5, s.step_size = 10;
  v.push_back(s);
  s.kind = ScheduleKind::Exponential, s.gamma = 0.96, s.decay_steps = 100;
  v.push_back(s);
  s.kind = ScheduleKind::InverseTime, s.alpha = 0.5, s.decay_steps = 7;
  v.push_back(s);
  s.kind = ScheduleKind::Cosine, s.T = 100, s.min_ratio = 0.0;
  v.push_back(s);
  s.min_ratio = 0.1;
  v.push_back(s);
  s.kind = ScheduleKind::Linear, s.T = 1000, s.min_ratio = 0.0;
  v.push_back(s);
  s.min_ratio = 0.25;
  v.push_back(s);
  s.kind = ScheduleKind::Plateau;
  v.push_back(s);
  return v;
}

}  // namespace

TEST_CASE("schedule: every kind matches ref:: exactly at several steps") {
  const double lr = 0.037;
  for (const Schedule& s : schedules())
    for (int64_t t : kSteps) {
      CAPTURE(schedule_name(s.kind));
      CAPTURE(t);
      CHECK(s.lr(lr, t) == ref_rate(s, lr, t));
    }
  // Spot values, independent of ref::.
  Schedule st;
  st.kind = ScheduleKind::Step, st.gamma = 0.5, st.step_size = 10;
  CHECK(st.lr(1.0, 9) == 1.0);
  CHECK(st.lr(1.0, 10) == 0.5);
  CHECK(st.lr(1.0, 25) == 0.25);
  Schedule cs;
  cs.kind = ScheduleKind::Cosine, cs.T = 100, cs.min_ratio = 0.1;
  CHECK(cs.lr(2.0, 0) == 2.0);
  CHECK(cs.lr(2.0, 100) == doctest::Approx(0.2));
  CHECK(cs.lr(2.0, 5000) == cs.lr(2.0, 100));  // clamped after T
  Schedule li;
  li.kind = ScheduleKind::Linear, li.T = 10, li.min_ratio = 0.5;
  CHECK(li.lr(2.0, 5) == 1.5);
  CHECK(li.lr(2.0, 10) == 1.0);
  CHECK(li.lr(2.0, 11) == 1.0);
}

TEST_CASE("schedule: the plateau rule makes Keras's decisions on any loss sequence") {
  // Sequences with improvements, ties within min_delta, long plateaus, the floor and NaN.
  const std::vector<std::vector<double>> runs = {
      {1.0, 0.9, 0.95, 0.9, 0.91, 0.92, 0.93, 0.94},
      {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5},
      {3, 2, 1, 0.99995, 0.5, 0.6, 0.7, 0.4, 0.45, 0.46, 0.47, 0.48, 0.49},
      {2.0, NAN, NAN, NAN, 1.0, 1.5},
  };
  for (const auto& losses : runs)
    for (uint32_t patience : {1u, 2u, 3u})
      for (const double min_lr : {0.0, 0.004}) {
        PlateauRule rule;
        rule.patience = patience, rule.factor = 0.3, rule.min_lr = min_lr;
        CAPTURE(losses.size());
        CAPTURE(patience);
        CAPTURE(min_lr);
        const std::vector<double> want =
            ref::lr_plateau(0.1, int(patience), rule.factor, rule.min_lr, rule.min_delta, losses);
        PlateauState state = PlateauState::start(0.1);
        CHECK(state.lr == want[0]);
        for (size_t e = 0; e < losses.size(); ++e) {
          const double before = state.lr;
          const bool reduced = state.end_epoch(rule, losses[e]);
          CHECK(reduced == (state.lr != before));
          CHECK(state.lr == want[e + 1]);  // the same doubles, exactly
          CHECK(state.lr >= rule.min_lr);
        }
      }
  Schedule bad;
  bad.kind = ScheduleKind::Plateau;
  bad.plateau.factor = 1.0;
  CHECK_THROWS_AS(bad.validate(), InputError);
  bad.plateau.factor = 0.5, bad.plateau.patience = 0;
  CHECK_THROWS_AS(bad.validate(), InputError);
  Schedule ratio;
  ratio.kind = ScheduleKind::Linear, ratio.min_ratio = 1.5;
  CHECK_THROWS_AS(ratio.validate(), InputError);
}

TEST_CASE("schedule: linear warm-up composes with every kind") {
  const double lr = 0.5;
  for (Schedule s : schedules())
    for (int64_t W : {1, 5, 10}) {
      s.warmup = W;
      for (int64_t t : kSteps) {
        CAPTURE(schedule_name(s.kind));
        CAPTURE(W);
        CAPTURE(t);
        const double want = ref::lr_warmup(lr, W, t, [&](int64_t u) { return ref_rate(s, lr, u); });
        CHECK(s.lr(lr, t) == want);
      }
      CHECK(s.lr(lr, 0) == lr / double(W));  // the first warm-up step is not 0
      CHECK(s.lr(lr, W - 1) == lr);
      CHECK(s.lr(lr, W) == ref_rate(s, lr, 0));  // the schedule restarts from its step 0
    }
}

TEST_CASE("schedule: step_values fills the block for optimizer step t") {
  OptimizerConfig adam = parse_optimizer("adam");
  adam.lr = 0.01;
  Schedule s;
  s.kind = ScheduleKind::Exponential, s.gamma = 0.9, s.decay_steps = 3, s.warmup = 2;
  for (uint64_t t : {1u, 2u, 3u, 10u, 1000u}) {
    CAPTURE(t);
    const StepBlock b = step_values(adam, s, t);
    CHECK(b.step == t);
    CHECK(b.lr == float(s.lr(0.01, int64_t(t) - 1)));
    CHECK(b.bias_correction1 == float(1.0 - std::pow(0.9, double(t))));
    CHECK(b.bias_correction2 == float(1.0 - std::pow(0.999, double(t))));
  }
  CHECK(step_values(adam, s, 1).lr == float(0.005));  // warm-up step 0: lr / 2
  // Bias corrections are computed in double: 1 - 0.999 in float would be off by 1e-5.
  CHECK(step_values(adam, Schedule{}, 1).bias_correction2 == float(1.0 - 0.999));
  const StepBlock sgd = step_values(parse_optimizer("momentum"), Schedule{}, 7);
  CHECK(sgd.bias_correction1 == 1.0f);
  CHECK(sgd.bias_correction2 == 1.0f);
  CHECK(sgd.lr == float(0.01));
  CHECK_THROWS_AS(step_values(adam, s, 0), InputError);
}

TEST_CASE("schedule: parsing schedule and optimizer names") {
  for (const char* name : {"constant", "step", "exp", "inverse-time", "cosine", "linear", "plateau"})
    CHECK(schedule_name(parse_schedule(name)) == name);
  try {
    parse_schedule("Linear");
    FAIL("no exception");
  } catch (const InputError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("'Linear'") != std::string::npos);
    CHECK(msg.find("constant, step, exp, inverse-time, cosine, linear, plateau") != std::string::npos);
  }

  for (const char* name : {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"})
    CHECK(optimizer_name(parse_optimizer(name)) == name);
  const OptimizerConfig m = parse_optimizer("momentum"), n = parse_optimizer("nesterov");
  CHECK(m.kind == OptimizerKind::SGD);
  CHECK(m.momentum == 0.9);
  CHECK_FALSE(m.nesterov);
  CHECK(n.momentum == 0.9);
  CHECK(n.nesterov);
  CHECK(parse_optimizer("sgd").momentum == 0.0);
  CHECK(parse_optimizer("adamw").kind == OptimizerKind::AdamW);
  CHECK(moment_buffers(parse_optimizer("sgd")) == 0);
  CHECK(moment_buffers(m) == 1);
  CHECK(moment_buffers(parse_optimizer("adam")) == 2);
  CHECK(moment_buffers(parse_optimizer("rmsprop")) == 1);
  CHECK(moment_buffers(parse_optimizer("adagrad")) == 1);
  CHECK(parse_optimizer("adagrad").lr == 0.01);
  CHECK(parse_optimizer("adagrad").initial_accumulator == 0.1);
  try {
    parse_optimizer("Adam");
    FAIL("no exception");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("sgd, momentum, nesterov, adam, adamw, rmsprop, adagrad") != std::string::npos);
  }
}

TEST_CASE("schedule: impossible parameters are input errors") {
  Schedule s;
  s.kind = ScheduleKind::Step, s.step_size = 0;
  CHECK_THROWS_AS(s.lr(1.0, 3), InputError);
  s = Schedule{};
  s.kind = ScheduleKind::Cosine, s.T = 0;
  CHECK_THROWS_AS(s.validate(), InputError);
  s = Schedule{};
  s.kind = ScheduleKind::InverseTime, s.decay_steps = 0;
  CHECK_THROWS_AS(s.validate(), InputError);
  s = Schedule{};
  s.warmup = -1;
  CHECK_THROWS_AS(s.validate(), InputError);
  OptimizerConfig c = parse_optimizer("adam");
  c.beta2 = 1.0;
  CHECK_THROWS_AS(c.validate(), InputError);
  c = parse_optimizer("sgd");
  c.nesterov = true;
  CHECK_THROWS_AS(c.validate(), InputError);
}
