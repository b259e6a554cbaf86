// Optimizer kernels (SGD / momentum / Nesterov, Adam, AdamW, RMSprop, Adagrad), L1/L2 penalties on the
// first n_regularized elements, global-norm clipping and the penalty value, against the double
// references of tests/reference/optim.hpp.
//
// The main test records every case (5 optimizers x options x n in {1, 7, 1001, 65537}) into ONE
// stream and replays it 10 times; between replays the host rewrites only each case's step block
// (nn/optim/step_values.hpp). The reference applies, per step: g1 = g + penalty gradient on the
// masked elements (ref::l1l2_penalty_grad), ref::clip_grad_global_norm(g1, c), then the
// optimizer's ref:: step with the double learning rate of the case's schedule. g stays fixed
// across steps (only the step block may change); p and the moments evolve.
//
// Tolerances: each step is an fp32 evaluation of a few operations on values that are O(1)
// (p, m, g) or O(g^2) (v), so one step errs by a few ulps relative, ~1e-6, plus the clipping
// scale's error (an fp32 sum of n squares: ~1e-6 relative for n = 65537). Errors carried in
// p, m and v compound linearly over steps, so after step t we check
// |gpu - ref| <= t * (1e-6 + 1e-5 |ref|): rtol 1e-5 per step, and an absolute floor for
// elements that pass near zero. Any indexing or formula mistake errs by O(lr) or more, which
// at lr >= 1e-2 is >= 1e3 times the tolerance. The device norm is checked to rtol 2e-5.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "nn/ops/step_block.hpp"
#include "nn/optim/optimizer.hpp"
#include "nn/optim/schedule.hpp"
#include "nn/optim/step_values.hpp"
#include "tests/ops/op_harness.hpp"
#include "util/error.hpp"
#include "tests/reference/gradcheck.hpp"
#include "tests/reference/optim.hpp"
#include "tests/test_support.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

struct Case {
  std::string label;
  OptimizerConfig c;
  Schedule schedule;
  size_t n = 0, n_reg = 0;
  double clip_factor = 0;  // clip_norm = factor * ||g1|| at the start; 0 = no clipping

  // Reference state.
  std::vector<double> P, G, M, V;
  std::vector<uint8_t> mask;
  std::vector<double> norms;  // reference norm per step (clipping only)

  // Device state.
  std::unique_ptr<Buffer> p, g, m, v, step, result, partials;
};

// g1 = g + penalty gradient at the current P (ref::l1l2_penalty_grad on the mask).
std::vector<double> loss_grad(const Case& k) {
  std::vector<double> g1 = k.G;
  ref::l1l2_penalty_grad(g1, k.P, k.mask, k.c.l1, k.c.l2);
  return g1;
}

void init_case(Context& ctx, Case& k, uint64_t seed) {
  k.P = ref::random_vector(k.n, seed);
  k.G = ref::random_vector(k.n, seed + 1);
  k.M.assign(k.n, 0.0);
  k.V.assign(k.n, initial_moment_value(k.c, "v"));  // Adagrad's accumulator, else 0
  k.mask.assign(k.n, 0);
  for (size_t i = 0; i < k.n_reg; ++i) k.mask[i] = 1;
  if (k.clip_factor > 0) {
    const auto g1 = loss_grad(k);
    k.c.clip_norm = k.clip_factor * ref::global_grad_norm({std::span<const double>(g1)});
  }
  k.p = std::make_unique<Buffer>(test::to_device(ctx, k.P, "p"));
  k.g = std::make_unique<Buffer>(test::to_device(ctx, k.G, "g"));
  k.m = std::make_unique<Buffer>(test::to_device(ctx, k.M, "m"));
  k.v = std::make_unique<Buffer>(test::to_device(ctx, k.V, "v"));
  k.step = std::make_unique<Buffer>(ctx, sizeof(StepBlock), "step block", MemoryUse::Shared);
  k.result = std::make_unique<Buffer>(test::nan_buffer(ctx, 2, "clip result"));
  k.partials = std::make_unique<Buffer>(test::nan_buffer(ctx, reduce_partials(k.n), "partials"));
}

void record_case(Stream& s, const Case& k) {
  OptimizerBuffers b;
  b.p = DeviceSpan(*k.p, 0, k.n);
  b.g = DeviceSpan(*k.g, 0, k.n);
  const int moments = moment_buffers(k.c);
  if (k.c.kind == OptimizerKind::SGD) {
    if (moments) b.m = DeviceSpan(*k.m, 0, k.n);
  } else if (moment_in_v_only(k.c)) {
    b.v = DeviceSpan(*k.v, 0, k.n);
  } else {
    b.m = DeviceSpan(*k.m, 0, k.n);
    b.v = DeviceSpan(*k.v, 0, k.n);
  }
  b.step_block = DeviceSpan(*k.step);
  b.n_regularized = k.n_reg;
  if (k.c.clip_norm > 0) b.clip = {DeviceSpan(*k.result), DeviceSpan(*k.partials)};
  const size_t before = s.dispatch_count();
  optimizer_step(s, k.c, b);
  // One dispatch per step, plus the two norm passes only when clipping.
  CHECK(s.dispatch_count() - before == (k.c.clip_norm > 0 ? 3u : 1u));
}

// One reference step t for case k; returns the norm before clipping.
void reference_step(Case& k, uint64_t t) {
  std::vector<double> g1 = loss_grad(k);
  if (k.c.clip_norm > 0) k.norms.push_back(ref::clip_grad_global_norm({std::span<double>(g1)}, k.c.clip_norm));
  const double lr = k.schedule.lr(k.c.lr, int64_t(t) - 1);
  const auto& c = k.c;
  switch (c.kind) {
    case OptimizerKind::SGD: ref::sgd_step(k.P, g1, k.M, lr, c.momentum, c.weight_decay, c.nesterov); break;
    case OptimizerKind::Adam:
      ref::adam_step(k.P, g1, k.M, k.V, int64_t(t), lr, c.beta1, c.beta2, c.eps, c.weight_decay);
      break;
    case OptimizerKind::AdamW:
      ref::adamw_step(k.P, g1, k.M, k.V, int64_t(t), lr, c.weight_decay, c.beta1, c.beta2, c.eps);
      break;
    case OptimizerKind::RMSprop: ref::rmsprop_step(k.P, g1, k.V, lr, c.alpha, c.eps, c.weight_decay); break;
    case OptimizerKind::Adagrad: ref::adagrad_step(k.P, g1, k.V, lr, c.eps, c.weight_decay); break;
  }
}

void check_case(const Case& k, uint64_t t) {
  const double atol = 1e-6 * double(t), rtol = 1e-5 * double(t);
  const std::string what = k.label + " n=" + std::to_string(k.n) + " step " + std::to_string(t);
  test::check_close(test::from_device(*k.p, k.n), k.P, atol, rtol, what + " p");
  const int moments = moment_buffers(k.c);
  if (k.c.kind == OptimizerKind::SGD && moments) test::check_close(test::from_device(*k.m, k.n), k.M, atol, rtol, what + " m");
  if (k.c.kind == OptimizerKind::Adam || k.c.kind == OptimizerKind::AdamW)
    test::check_close(test::from_device(*k.m, k.n), k.M, atol, rtol, what + " m");
  if (k.c.kind != OptimizerKind::SGD) test::check_close(test::from_device(*k.v, k.n), k.V, atol, rtol, what + " v");
  if (k.c.clip_norm > 0) {
    const auto r = test::from_device(*k.result, 2);
    const double norm = k.norms.back();
    CHECK_MESSAGE(r[1] == doctest::Approx(norm).epsilon(2e-5), what << " norm");
    CHECK_MESSAGE(r[0] == doctest::Approx(std::min(1.0, k.c.clip_norm / norm)).epsilon(2e-5), what << " scale");
  }
}

std::vector<Case> make_cases() {
  std::vector<Case> cases;
  auto add = [&](std::string label, OptimizerConfig c, Schedule s, double clip_factor, double reg_fraction) {
    for (size_t n : {size_t(1), size_t(7), size_t(1001), size_t(65537)}) {
      Case k;
      k.label = label;
      k.c = c;
      k.schedule = s;
      k.n = n;
      // Not a multiple of 4, so the regularized range ends inside a vec4 (n = 1: all or none).
      k.n_reg = n == 1 ? (reg_fraction > 0 ? 1 : 0) : size_t(double(n) * reg_fraction) | 1;
      if (reg_fraction == 0) k.n_reg = 0;
      k.clip_factor = clip_factor;
      cases.push_back(std::move(k));
    }
  };
  Schedule constant;
  Schedule step;
  step.kind = ScheduleKind::Step, step.gamma = 0.5, step.step_size = 3;
  Schedule cosine;
  cosine.kind = ScheduleKind::Cosine, cosine.T = 8, cosine.min_ratio = 0.1, cosine.warmup = 2;
  Schedule inv;
  inv.kind = ScheduleKind::InverseTime, inv.alpha = 0.5, inv.decay_steps = 2;
  Schedule expo;
  expo.kind = ScheduleKind::Exponential, expo.gamma = 0.8, expo.decay_steps = 3, expo.warmup = 1;

  OptimizerConfig c = parse_optimizer("sgd");
  c.lr = 0.1;
  add("sgd", c, constant, 0, 0);
  c = parse_optimizer("momentum");
  c.lr = 0.05, c.weight_decay = 0.01;
  add("momentum+wd", c, step, 0, 0);
  c = parse_optimizer("nesterov");
  c.lr = 0.05, c.weight_decay = 0.01, c.l1 = 1e-3, c.l2 = 1e-2;
  add("nesterov+wd+l1l2+clip(active)", c, cosine, 0.5, 0.6);
  c = parse_optimizer("momentum");
  c.lr = 0.05, c.l2 = 5e-2;
  add("momentum+l2+clip(inactive)", c, inv, 2.0, 0.7);
  c = parse_optimizer("adam");
  c.lr = 0.01;
  add("adam", c, constant, 0, 0);
  c = parse_optimizer("adam");
  c.lr = 0.01, c.weight_decay = 0.05, c.l1 = 1e-3, c.l2 = 1e-2;
  add("adam+wd+l1l2+clip(active)", c, expo, 0.3, 0.5);
  c = parse_optimizer("adamw");
  c.lr = 0.01, c.weight_decay = 0.1, c.l2 = 1e-2;
  add("adamw+l2+clip(inactive)", c, cosine, 3.0, 0.4);
  c = parse_optimizer("adamw");
  c.lr = 0.02, c.weight_decay = 0.0;
  add("adamw(wd 0)", c, step, 0, 0);
  c = parse_optimizer("rmsprop");
  c.lr = 0.01, c.weight_decay = 0.01;
  add("rmsprop+wd", c, inv, 0, 0);
  c = parse_optimizer("rmsprop");
  c.lr = 0.01, c.alpha = 0.99, c.eps = 1e-8, c.l1 = 1e-2;
  add("rmsprop(pytorch)+l1+clip(active)", c, constant, 0.5, 0.8);
  c = parse_optimizer("adagrad");
  c.weight_decay = 0.01;
  add("adagrad+wd", c, expo, 0, 0);
  c = parse_optimizer("adagrad");
  c.initial_accumulator = 0.0, c.eps = 1e-10, c.l2 = 1e-2;  // PyTorch's defaults
  add("adagrad(pytorch)+l2+clip(active)", c, cosine, 0.5, 0.6);
  return cases;
}

}  // namespace

TEST_CASE("optim: every optimizer, 10 replays of one recording, only the step block rewritten") {
  Context ctx(test::test_context_options());
  std::vector<Case> cases = make_cases();
  for (size_t i = 0; i < cases.size(); ++i) init_case(ctx, cases[i], 100 + 7 * i);
  Stream s(ctx);
  for (const Case& k : cases) record_case(s, k);
  for (uint64_t t = 1; t <= 10; ++t) {
    for (Case& k : cases) {
      const StepBlock block = step_values(k.c, k.schedule, t);
      k.step->upload(&block, sizeof(block));
      reference_step(k, t);
    }
    s.run();
    for (const Case& k : cases) check_case(k, t);
  }
}

TEST_CASE("optim: clipping norm with both reduction kernels, and the penalty value") {
  Context ctx(test::test_context_options());
  std::vector<ReducePath> paths{ReducePath::Shared};
  if (ctx.info().subgroup_arithmetic) paths.push_back(ReducePath::Subgroup);
  if (ctx.info().subgroup_arithmetic && ctx.info().rgba32f_texel_buffers) paths.push_back(ReducePath::Texel);
  for (ReducePath path : paths)
    for (size_t n : {size_t(1), size_t(7), size_t(1001), size_t(65537), size_t(300001)}) {
      CAPTURE(n);
      CAPTURE(int(path));
      const auto G = ref::random_vector(n, 5 + n), P = ref::random_vector(n, 6 + n);
      const size_t n_reg = n / 3 + 1;
      const double l1 = 1e-2, l2 = 3e-2;
      std::vector<uint8_t> mask(n, 0);
      for (size_t i = 0; i < n_reg; ++i) mask[i] = 1;
      std::vector<double> g1 = G;
      ref::l1l2_penalty_grad(g1, P, mask, l1, l2);
      const double norm_plain = ref::global_grad_norm({std::span<const double>(G)});
      const double norm_pen = ref::global_grad_norm({std::span<const double>(g1)});
      const double penalty = ref::l1l2_penalty(P, mask, l1, l2);

      // NaNs after element n: a neighbouring tensor that must not leak into the sums (texel
      // views round up to whole vec4s).
      auto with_nans = [](std::vector<double> v) {
        v.insert(v.end(), 5, std::nan(""));
        return v;
      };
      Buffer gb = test::to_device(ctx, with_nans(G), "g"), pb = test::to_device(ctx, with_nans(P), "p");
      const DeviceSpan g(gb, 0, n), p(pb, 0, n);
      Buffer r1 = test::nan_buffer(ctx, 2, "r1"), r2 = test::nan_buffer(ctx, 2, "r2"),
             r3 = test::nan_buffer(ctx, 2, "r3");
      Buffer part = test::nan_buffer(ctx, reduce_partials(n), "partials");
      Stream s(ctx);
      grad_global_norm(s, g, DeviceSpan{}, 0, 0, 0, 0.5 * norm_plain, {r1, part, path});
      grad_global_norm(s, g, p, n_reg, l1, l2, 2.0 * norm_pen, {r2, part, path});
      weight_penalty(s, p, n_reg, l1, l2, {r3, part, path});
      s.run();
      const auto a = test::from_device(r1, 2), b = test::from_device(r2, 2), c = test::from_device(r3, 1);
      CHECK(a[1] == doctest::Approx(norm_plain).epsilon(2e-5));
      CHECK(a[0] == doctest::Approx(0.5).epsilon(2e-5));
      CHECK(b[1] == doctest::Approx(norm_pen).epsilon(2e-5));
      CHECK(b[0] == 1.0f);
      CHECK(c[0] == doctest::Approx(penalty).epsilon(2e-5));
    }
}

TEST_CASE("optim: a zero gradient leaves the clip scale at 1") {
  Context ctx(test::test_context_options());
  Buffer g = test::to_device(ctx, std::vector<double>(33, 0.0), "g");
  Buffer r = test::nan_buffer(ctx, 2, "r"), part = test::nan_buffer(ctx, reduce_partials(33), "partials");
  Stream s(ctx);
  grad_global_norm(s, g, DeviceSpan{}, 0, 0, 0, 1.0, {r, part});
  s.run();
  const auto v = test::from_device(r, 2);
  CHECK(v[0] == 1.0f);
  CHECK(v[1] == 0.0f);
}

TEST_CASE("optim: wrong sizes are errors") {
  Context ctx(test::test_context_options());
  Buffer p = test::to_device(ctx, std::vector<double>(10, 0.0), "p");
  Buffer small = test::to_device(ctx, std::vector<double>(9, 0.0), "small");
  Buffer step(ctx, sizeof(StepBlock), "step", MemoryUse::Shared);
  Stream s(ctx);
  OptimizerBuffers b;
  b.p = p, b.g = small, b.step_block = step;
  CHECK_THROWS_AS(optimizer_step(s, parse_optimizer("sgd"), b), Error);  // g too small
  b.g = p;
  CHECK_THROWS_AS(optimizer_step(s, parse_optimizer("adam"), b), Error);  // no moments
  b.m = small, b.v = p;
  CHECK_THROWS_AS(optimizer_step(s, parse_optimizer("adam"), b), Error);  // m too small
  b.n_regularized = 11;
  CHECK_THROWS_AS(optimizer_step(s, parse_optimizer("sgd"), b), Error);
  b.n_regularized = 0;
  OptimizerConfig c = parse_optimizer("sgd");
  c.clip_norm = 1.0;  // no scratch given
  CHECK_THROWS_AS(optimizer_step(s, c, b), Error);
  c.clip_norm = -1.0;
  CHECK_THROWS_AS(optimizer_step(s, c, b), InputError);
}

TEST_CASE("optim: texel and storage update kernels give bit-identical results, tails included") {
  // The texel kernels fetch the tail vec4 whole, past n into whatever follows (NaN here): the
  // stored elements must be the same floats as the storage kernels', and nothing past n may be
  // written. A host-visible p cannot be viewed as texels: Auto must fall back to storage.
  Context ctx(test::test_context_options());
  if (!ctx.info().rgba32f_texel_buffers) return;
  std::vector<OptimizerConfig> configs;
  OptimizerConfig c = parse_optimizer("sgd");
  configs.push_back(c);
  c = parse_optimizer("nesterov");
  c.weight_decay = 0.01, c.l1 = 1e-3, c.l2 = 1e-2, c.clip_norm = 5.0;
  configs.push_back(c);
  c = parse_optimizer("adam");
  c.lr = 0.01, c.weight_decay = 0.05, c.l1 = 1e-3, c.l2 = 1e-2, c.clip_norm = 5.0;
  configs.push_back(c);
  c = parse_optimizer("adamw");
  configs.push_back(c);
  c = parse_optimizer("rmsprop");
  c.weight_decay = 0.01, c.l2 = 1e-2;
  configs.push_back(c);
  c = parse_optimizer("adagrad");
  c.l1 = 1e-3, c.clip_norm = 5.0;
  configs.push_back(c);
  for (const OptimizerConfig& cfg : configs)
    for (size_t n : {size_t(1), size_t(6), size_t(1001), size_t(4096)}) {
      CAPTURE(optimizer_name(cfg));
      CAPTURE(n);
      auto with_nans = [&](std::vector<double> v) {
        v.insert(v.end(), 7, std::nan(""));
        return v;
      };
      const auto P = with_nans(ref::random_vector(n, 40 + n)), G = with_nans(ref::random_vector(n, 41 + n));
      const auto Z = with_nans(std::vector<double>(n, 0.0));
      struct Run {
        Buffer p, g, m, v;
      };
      const UpdatePath paths[] = {UpdatePath::Storage, UpdatePath::Texel, UpdatePath::Auto};
      std::vector<Run> runs;
      for (int i = 0; i < 3; ++i) runs.push_back({test::to_device(ctx, P, "p"), test::to_device(ctx, G, "g"),
                                                  test::to_device(ctx, Z, "m"), test::to_device(ctx, Z, "v")});
      Buffer shared_p(ctx, P.size() * 4, "host-visible p", MemoryUse::Shared);
      shared_p.upload(std::vector<float>(P.begin(), P.end()));
      Buffer step(ctx, sizeof(StepBlock), "step", MemoryUse::Shared);
      Buffer result = test::nan_buffer(ctx, 2, "clip result"), part = test::nan_buffer(ctx, reduce_partials(n), "part");
      Stream s(ctx);
      for (int i = 0; i < 3; ++i) {
        OptimizerBuffers b;
        b.p = DeviceSpan(i == 2 ? shared_p : runs[i].p, 0, n);
        b.g = DeviceSpan(runs[i].g, 0, n);
        b.m = DeviceSpan(runs[i].m, 0, n);
        b.v = DeviceSpan(runs[i].v, 0, n);
        b.step_block = DeviceSpan(step);
        b.n_regularized = n / 2 + 1;
        b.clip = {DeviceSpan(result), DeviceSpan(part)};
        b.path = paths[i];
        optimizer_step(s, cfg, b);
        if (i == 2) {
          b.path = UpdatePath::Texel;
          CHECK_THROWS_AS(optimizer_step(s, cfg, b), Error);
        }
      }
      for (uint64_t t = 1; t <= 3; ++t) {
        const StepBlock block = step_values(cfg, Schedule{}, t);
        step.upload(&block, sizeof(block));
        s.run();
      }
      auto bits = [&](const Buffer& b) {
        const auto f = test::from_device(b, P.size());
        std::vector<uint32_t> u(f.size());
        std::memcpy(u.data(), f.data(), f.size() * 4);
        return u;
      };
      const std::vector<uint32_t> p0 = bits(runs[0].p), m0 = bits(runs[0].m), v0 = bits(runs[0].v);
      CHECK(bits(runs[1].p) == p0);
      CHECK(bits(runs[1].m) == m0);
      CHECK(bits(runs[1].v) == v0);
      CHECK(bits(shared_p) == p0);
      CHECK(bits(runs[2].m) == m0);
      CHECK(bits(runs[2].v) == v0);
      const auto texel_p = test::from_device(runs[1].p, P.size());
      CHECK(texel_p[0] != float(P[0]));  // the steps ran
      for (size_t i = n; i < P.size(); ++i) CHECK(std::isnan(texel_p[i]));
    }
}
