// Fused losses: softmax cross-entropy (training and eval variants), MSE, and MSE on one-hot labels.
//   - metrics (loss sum, correct, count, nonfinite) vs the double reference on odd shapes
//     (N = 1, 3, 33, 127; K = 1, 3, 10, 65), including ties in the argmax
//   - dlogits / dpred vs central finite differences of the reference mean loss (dloss = 1)
//   - metrics accumulate over 3 replays of one recorded stream, and reset
//   - NaN / Inf rows and out-of-range labels are counted as nonfinite, excluded from the sums
// Inputs are rounded to fp32 before the reference sees them, so argmax decisions are identical.
// Tolerances: a row loss is a K-term logsumexp in fp32 (a few ulp of max|z| + log K); the batch
// sum adds N of them: rtol 2e-5 plus atol 2e-6·N·(1 + max|z|). Gradients are elementwise
// (p - onehot)/N: 1e-4 of the largest entry (tests/ops/op_harness.hpp), far below any slip.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "nn/ops/loss.hpp"
#include "runtime/buffer.hpp"
#include "tests/ops/op_harness.hpp"
#include "tests/reference/loss.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

std::vector<double> f32(std::vector<double> v) {
  for (double& x : v) x = double(float(x));
  return v;
}

std::vector<int32_t> random_labels(size_t n, int K, uint64_t seed) {
  const auto u = ref::random_vector(n, seed, 0.0, 1.0);
  std::vector<int32_t> l(n);
  for (size_t i = 0; i < n; ++i) l[i] = std::min(K - 1, int(u[i] * K));
  return l;
}

Buffer metrics_buffer(Context& ctx) {
  Buffer m(ctx, sizeof(LossMetrics), "metrics", MemoryUse::Shared);
  reset_loss_metrics(m);
  return m;
}

// Per-row cross-entropy in double (the reference gives the mean; the metrics hold the sum).
double ce_sum(const std::vector<double>& z, const std::vector<int32_t>& labels, int N, int K) {
  return ref::softmax_cross_entropy_forward(z, labels, N, K) * N;
}

void check_loss_sum(const LossMetrics& m, double want, int N, double zmax, const char* what) {
  INFO(what << ": loss_sum " << m.loss_sum << " vs reference " << want);
  CHECK(std::fabs(m.loss_sum - want) <= 2e-5 * std::fabs(want) + 2e-6 * N * (1.0 + zmax));
}

// dpred against central finite differences of the reference MSE and against its backward.
void check_mse_gradient(const std::vector<float>& gpu, const std::vector<double>& p, const std::vector<double>& t) {
  const ref::ForwardFn loss = [&](const ref::Inputs& in) { return std::vector<double>{ref::mse_forward(in[0], t)}; };
  test::check_gradient(gpu, test::fd_gradient(loss, {p}, 0, {1.0}), 1e-4, "dpred vs finite differences");
  std::vector<double> want(p.size(), 0.0);
  ref::mse_backward(want, p, t);
  test::check_close(gpu, want, 1e-9, 1e-5, "dpred vs reference backward");
}

}  // namespace

TEST_CASE("loss: softmax cross-entropy metrics vs reference and dlogits vs finite differences, odd shapes") {
  Context ctx(test::test_context_options());
  for (int N : {1, 3, 33, 127})
    for (int K : {1, 3, 10, 65}) {
      CAPTURE(N);
      CAPTURE(K);
      const auto z = f32(ref::random_vector(size_t(N) * K, 10 + N * K, -4.0, 4.0));
      const auto labels = random_labels(N, K, 20 + N + K);
      Buffer zb = test::to_device(ctx, z, "logits"), lb = test::to_device_int(ctx, labels, "labels");
      Buffer dz = test::nan_buffer(ctx, z.size(), "dlogits");
      Buffer mt = metrics_buffer(ctx), me = metrics_buffer(ctx);
      Stream s(ctx);
      softmax_cross_entropy(s, dz, mt, zb, lb, N, K);
      softmax_cross_entropy_eval(s, me, zb, lb, N, K);
      s.run();
      const LossMetrics got = read_loss_metrics(mt), got_eval = read_loss_metrics(me);
      check_loss_sum(got, ce_sum(z, labels, N, K), N, 4.0, "train");
      CHECK(got.count == uint32_t(N));
      CHECK(got.correct == uint32_t(ref::accuracy_count(z, labels, N, K)));
      CHECK(got.nonfinite == 0);
      // The eval kernel runs the same arithmetic: identical metrics.
      CHECK(got_eval.loss_sum == got.loss_sum);
      CHECK(got_eval.correct == got.correct);
      CHECK(got_eval.count == got.count);
      CHECK(got_eval.nonfinite == 0);

      const ref::ForwardFn loss = [&](const ref::Inputs& in) {
        return std::vector<double>{ref::softmax_cross_entropy_forward(in[0], labels, N, K)};
      };
      const auto gpu = test::from_device(dz, z.size());
      test::check_gradient(gpu, test::fd_gradient(loss, {z}, 0, {1.0}), 1e-4, "dlogits vs finite differences");
      std::vector<double> want(z.size(), 0.0);
      ref::softmax_cross_entropy_backward(want, z, labels, N, K);
      test::check_close(gpu, want, 1e-7, 1e-5, "dlogits vs reference backward");
    }
}

TEST_CASE("loss: softmax cross-entropy argmax ties go to the lowest index") {
  Context ctx(test::test_context_options());
  const int N = 4, K = 4;
  const std::vector<double> z = {1, 5, 5, 2,  // tie between 1 and 2
                                 1, 5, 5, 2,  //
                                 3, 3, 3, 3,  // all tied
                                 3, 3, 3, 3};
  const std::vector<int32_t> labels = {1, 2, 0, 3};  // correct, wrong, correct, wrong
  Buffer zb = test::to_device(ctx, z, "logits"), lb = test::to_device_int(ctx, labels, "labels");
  Buffer m = metrics_buffer(ctx);
  Stream s(ctx);
  softmax_cross_entropy_eval(s, m, zb, lb, N, K);
  s.run();
  const LossMetrics got = read_loss_metrics(m);
  CHECK(ref::accuracy_count(z, labels, N, K) == 2);
  CHECK(got.correct == 2);
  CHECK(got.count == 4);
  check_loss_sum(got, ce_sum(z, labels, N, K), N, 5.0, "ties");
}

TEST_CASE("loss: metrics accumulate over 3 replays of one recorded stream, then reset") {
  Context ctx(test::test_context_options());
  const int N = 33, K = 10;
  const auto z = f32(ref::random_vector(size_t(N) * K, 7, -3.0, 3.0));
  const auto labels = random_labels(N, K, 8);
  const auto t = f32(ref::random_vector(size_t(N) * K, 9));
  Buffer zb = test::to_device(ctx, z, "logits"), lb = test::to_device_int(ctx, labels, "labels");
  Buffer tb = test::to_device(ctx, t, "target");
  Buffer dz = test::nan_buffer(ctx, z.size(), "dlogits"), dp = test::nan_buffer(ctx, z.size(), "dpred");
  // Both metric blocks in one Shared buffer, the second at the device's storage-buffer offset
  // alignment (at least 16 bytes).
  const VkDeviceSize align = std::max<VkDeviceSize>(16, ctx.info().min_storage_buffer_offset_alignment);
  Buffer m(ctx, align + sizeof(LossMetrics), "metrics", MemoryUse::Shared);
  reset_loss_metrics(m, 0);
  reset_loss_metrics(m, align);
  Stream s(ctx);
  softmax_cross_entropy(s, dz, DeviceSpan(m, 0, 4), zb, lb, N, K);
  softmax_cross_entropy_eval(s, DeviceSpan(m, 0, 4), zb, lb, N, K);  // same block: ordered by the stream
  mse_loss(s, dp, DeviceSpan(m, align, 4), zb, tb, N, K);
  const double ce = ce_sum(z, labels, N, K), mse = ref::mse_forward(z, t) * N;
  const auto acc = ref::accuracy_count(z, labels, N, K);
  for (int replay = 1; replay <= 3; ++replay) {
    CAPTURE(replay);
    s.run();
    const LossMetrics a = read_loss_metrics(m, 0), b = read_loss_metrics(m, align);
    check_loss_sum(a, 2 * replay * ce, 2 * replay * N, 3.0, "cross-entropy, train + eval per replay");
    CHECK(a.count == uint32_t(2 * replay * N));
    CHECK(a.correct == uint32_t(2 * replay * acc));
    CHECK(a.nonfinite == 0);
    check_loss_sum(b, replay * mse, replay * N, 3.0, "mse");
    CHECK(b.count == uint32_t(replay * N));
    CHECK(b.correct == 0);
    CHECK(std::fabs(b.mean_loss() - mse / N) <= 2e-5 * mse / N);
  }
  reset_loss_metrics(m, 0);
  s.run();
  const LossMetrics a = read_loss_metrics(m, 0);
  CHECK(a.count == uint32_t(2 * N));
  check_loss_sum(a, 2 * ce, 2 * N, 3.0, "after reset");
  CHECK(std::fabs(a.mean_loss() - ce / N) <= 2e-5 * ce / N);
  CHECK(std::fabs(a.accuracy() - double(acc) / N) < 1e-12);
}

TEST_CASE("loss: NaN and Inf rows and out-of-range labels are counted as nonfinite") {
  Context ctx(test::test_context_options());
  const int N = 7, K = 10;
  auto z = f32(ref::random_vector(size_t(N) * K, 11, -2.0, 2.0));
  auto labels = random_labels(N, K, 12);
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> zf(z.begin(), z.end());
  zf[1 * K + 3] = nan;  // row 1: a NaN logit
  zf[3 * K + 0] = inf;  // row 3: +Inf
  labels[4] = K;        // row 4: label out of range (high)
  labels[5] = -1;       // row 5: label out of range (negative)
  Buffer zb(ctx, zf.size() * 4, "logits");
  zb.upload(zf);
  Buffer lb = test::to_device_int(ctx, labels, "labels");
  Buffer dz = test::nan_buffer(ctx, z.size(), "dlogits"), m = metrics_buffer(ctx), me = metrics_buffer(ctx);
  Stream s(ctx);
  softmax_cross_entropy(s, dz, m, zb, lb, N, K);
  softmax_cross_entropy_eval(s, me, zb, lb, N, K);
  s.run();
  // The finite rows, through the reference.
  std::vector<double> zg;
  std::vector<int32_t> lg;
  for (int n : {0, 2, 6}) {
    zg.insert(zg.end(), z.begin() + n * K, z.begin() + (n + 1) * K);
    lg.push_back(labels[n]);
  }
  for (const LossMetrics& got : {read_loss_metrics(m), read_loss_metrics(me)}) {
    CHECK(got.nonfinite == 4);
    CHECK(got.count == uint32_t(N));
    CHECK(got.correct == uint32_t(ref::accuracy_count(zg, lg, 3, K)));
    check_loss_sum(got, ce_sum(zg, lg, 3, K), 3, 2.0, "finite rows only");
    CHECK(std::isnan(got.mean_loss()));
  }
  // Gradients of the finite rows are still right; the NaN row's are NaN.
  const auto g = test::from_device(dz, z.size());
  std::vector<double> want(zg.size(), 0.0);
  ref::softmax_cross_entropy_backward(want, zg, lg, 3, K);
  for (size_t i = 0; i < want.size(); ++i) want[i] = want[i] * 3 / N;  // the kernel divides by N = 7
  std::vector<float> got_rows;
  for (int n : {0, 2, 6}) got_rows.insert(got_rows.end(), g.begin() + n * K, g.begin() + (n + 1) * K);
  test::check_close(got_rows, want, 1e-7, 1e-5, "dlogits of finite rows");
  CHECK(std::isnan(g[1 * K + 3]));
}

TEST_CASE("loss: MSE metrics vs reference and dpred vs finite differences, odd shapes") {
  Context ctx(test::test_context_options());
  for (int N : {1, 3, 33, 127})
    for (int K : {1, 3, 10, 65}) {
      CAPTURE(N);
      CAPTURE(K);
      const auto p = f32(ref::random_vector(size_t(N) * K, 30 + N * K));
      const auto t = f32(ref::random_vector(size_t(N) * K, 40 + N + K));
      Buffer pb = test::to_device(ctx, p, "pred"), tb = test::to_device(ctx, t, "target");
      Buffer dp = test::nan_buffer(ctx, p.size(), "dpred");
      Buffer mt = metrics_buffer(ctx), me = metrics_buffer(ctx);
      Stream s(ctx);
      mse_loss(s, dp, mt, pb, tb, N, K);
      mse_loss_eval(s, me, pb, tb, N, K);
      s.run();
      const double want = ref::mse_forward(p, t) * N;  // loss_sum = batch mean x N
      for (const LossMetrics& got : {read_loss_metrics(mt), read_loss_metrics(me)}) {
        check_loss_sum(got, want, N, 2.0, "mse");
        CHECK(got.count == uint32_t(N));
        CHECK(got.correct == 0);
        CHECK(got.nonfinite == 0);
      }
      check_mse_gradient(test::from_device(dp, p.size()), p, t);
    }
}

TEST_CASE("loss: one-hot MSE is MSE against the labels' one-hot rows and counts argmax hits, odd shapes") {
  Context ctx(test::test_context_options());
  for (int N : {1, 3, 33, 127})
    for (int K : {1, 3, 10, 65}) {
      CAPTURE(N);
      CAPTURE(K);
      auto p = f32(ref::random_vector(size_t(N) * K, 50 + N * K, -1.0, 1.5));
      if (K > 1) p[1] = p[0];  // a tie in row 0: the lowest index wins
      auto labels = random_labels(size_t(N), K, 60 + N + K);
      std::vector<double> onehot(size_t(N) * K, 0.0);
      uint32_t hits = 0;
      for (int n = 0; n < N; ++n) {
        onehot[size_t(n) * K + labels[n]] = 1.0;
        int arg = 0;
        for (int k = 1; k < K; ++k)
          if (p[size_t(n) * K + k] > p[size_t(n) * K + arg]) arg = k;
        hits += arg == labels[n];
      }
      Buffer pb = test::to_device(ctx, p, "pred");
      Buffer lb(ctx, labels.size() * 4, "labels");
      lb.upload(labels);
      Buffer dp = test::nan_buffer(ctx, p.size(), "dpred");
      Buffer mt = metrics_buffer(ctx), me = metrics_buffer(ctx);
      Stream s(ctx);
      mse_onehot(s, dp, mt, pb, lb, N, K);
      mse_onehot_eval(s, me, pb, lb, N, K);
      s.run();
      const double want = ref::mse_forward(p, onehot) * N;
      for (const LossMetrics& got : {read_loss_metrics(mt), read_loss_metrics(me)}) {
        check_loss_sum(got, want, N, 2.5, "one-hot mse");
        CHECK(got.count == uint32_t(N));
        CHECK(got.correct == hits);
        CHECK(got.nonfinite == 0);
      }
      check_mse_gradient(test::from_device(dp, p.size()), p, onehot);
    }
  // A label outside [0, K) reads nothing and makes its row nonfinite.
  const int N = 3, K = 4;
  std::vector<float> p(N * K, 0.25f);
  Buffer pb(ctx, p.size() * 4, "pred"), lb(ctx, N * 4, "labels");
  pb.upload(p);
  lb.upload(std::vector<int32_t>{0, -1, 4});
  Buffer m = metrics_buffer(ctx);
  Stream s(ctx);
  mse_onehot_eval(s, m, pb, lb, N, K);
  s.run();
  const LossMetrics got = read_loss_metrics(m);
  CHECK(got.nonfinite == 2);
  CHECK(got.correct == 1);  // row 0: all equal, argmax 0 = its label
  CHECK(got.loss_sum == doctest::Approx((0.75 * 0.75 + 3 * 0.0625) / K).epsilon(1e-6));
}

TEST_CASE("loss: MSE counts a NaN row as nonfinite") {
  Context ctx(test::test_context_options());
  const int N = 3, K = 5;
  std::vector<float> p(N * K, 0.5f), t(N * K, 0.25f);
  p[1 * K + 2] = std::numeric_limits<float>::quiet_NaN();
  Buffer pb(ctx, p.size() * 4, "pred"), tb(ctx, t.size() * 4, "target");
  pb.upload(p);
  tb.upload(t);
  Buffer m = metrics_buffer(ctx);
  Stream s(ctx);
  mse_loss_eval(s, m, pb, tb, N, K);
  s.run();
  const LossMetrics got = read_loss_metrics(m);
  CHECK(got.nonfinite == 1);
  CHECK(got.count == 3);
  CHECK(got.loss_sum == doctest::Approx(2 * 0.0625).epsilon(1e-6));
}

TEST_CASE("loss: impossible shapes and short spans are refused") {
  Context ctx(test::test_context_options());
  Buffer z(ctx, 40, "logits"), l(ctx, 8, "labels"), d(ctx, 40, "d"), m = metrics_buffer(ctx);
  Stream s(ctx);
  CHECK_THROWS_AS(softmax_cross_entropy(s, d, m, z, l, 0, 5), InputError);
  CHECK_THROWS_AS(softmax_cross_entropy(s, d, m, z, l, 2, 0), InputError);
  CHECK_THROWS_AS(softmax_cross_entropy(s, d, m, z, l, 3, 5), Error);  // 15 logits in a 10-float span
  CHECK_THROWS_AS(softmax_cross_entropy(s, d, DeviceSpan(m, 0, 3), z, l, 2, 5), Error);
  CHECK_THROWS_AS(mse_loss(s, DeviceSpan(d, 0, 5), m, z, d, 2, 5), Error);
  CHECK_THROWS_AS(mse_loss_eval(s, m, z, DeviceSpan(d, 0, 5), 2, 5), Error);
  CHECK(s.dispatch_count() == 0);
}
