// Activations forward vs the double reference and backward vs the reference backward and
// central finite differences, for every function, on sizes that exercise the vec4 body and the
// scalar tail (1, 3, 7, 33, 65, 127, 4099), on spans at offset 0 and 16 bytes, at 12 bytes
// where the device's minStorageBufferOffsetAlignment allows it (not lavapipe: 16) — that takes
// the all-scalar path (VEC4 = 0), whose loads and stores are the tail's code — and in place.
// Tolerances (fp32 against double, inputs rounded to fp32 on upload):
//   relu, leaky relu: one fp32 multiply at most: atol 1e-7, rtol 1e-6.
//   sigmoid, tanh, gelu: exp plus a few roundings, and GELU's erf fit (|Phi error| <= ~1e-7,
//   shaders/activation.glsl): atol 1e-6, rtol 1e-5 (tests/reference/gradcheck.hpp's guidance
//   for transcendental activations). Measured on lavapipe over a 400,001-point sweep of [-20, 20]
//   (max |gpu - ref|, y and f'): sigmoid 1.1e-7 / 6.1e-8, tanh 1.4e-7 / 2.3e-7, gelu 3.8e-7
//   (half an ulp of y ~ x at |x| ~ 5) / 1.4e-7, leaky relu 5.7e-8 / 0, relu 0 / 0.
//   Gradients vs finite differences: 1e-5 of the largest entry; relu/leaky inputs stay 0.05
//   away from the kink (ref::random_away_from_zero) so a finite-difference step never crosses it.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>

#include "nn/ops/activation.hpp"
#include "runtime/buffer.hpp"
#include "tests/ops/op_harness.hpp"
#include "tests/reference/activation.hpp"
#include "tests/test_support.hpp"
#include "util/error.hpp"

using namespace vkt;
using namespace vkt::nn;

namespace {

constexpr float kAlpha = 0.1f;

struct RefFns {
  std::function<void(std::span<double>, std::span<const double>)> forward;
  std::function<void(std::span<double>, std::span<const double>, std::span<const double>)> backward;
  double atol, rtol;
};

RefFns ref_fns(Activation a) {
  const double alpha = kAlpha;  // the float slope the GPU uses, exactly
  switch (a) {
    case Activation::ReLU: return {ref::relu_forward, ref::relu_backward, 1e-7, 1e-6};
    case Activation::LeakyReLU:
      return {[=](std::span<double> y, std::span<const double> x) { ref::leaky_relu_forward(y, x, alpha); },
              [=](std::span<double> dx, std::span<const double> dy, std::span<const double> x) {
                ref::leaky_relu_backward(dx, dy, x, alpha);
              },
              1e-7, 1e-6};
    case Activation::Sigmoid: return {ref::sigmoid_forward, ref::sigmoid_backward, 1e-6, 1e-5};
    case Activation::Tanh: return {ref::tanh_forward, ref::tanh_backward, 1e-6, 1e-5};
    case Activation::GELU: return {ref::gelu_forward, ref::gelu_backward, 1e-6, 1e-5};
  }
  return {};
}

const Activation kAll[] = {Activation::ReLU, Activation::LeakyReLU, Activation::Sigmoid, Activation::Tanh,
                           Activation::GELU};

// The fp32 values the GPU actually sees, back in double: the reference is evaluated on them.
std::vector<double> fp32_rounded(std::vector<double> v) {
  for (double& d : v) d = static_cast<float>(d);
  return v;
}

struct Run {
  std::vector<float> y, dx;
};

// Runs forward and backward on spans starting `offset` floats into their buffers.
Run run_gpu(Context& ctx, Activation a, const std::vector<double>& xv, const std::vector<double>& dyv, size_t offset) {
  const size_t n = xv.size();
  std::vector<double> xp(offset, 7.0), dyp(offset, 7.0);
  xp.insert(xp.end(), xv.begin(), xv.end());
  dyp.insert(dyp.end(), dyv.begin(), dyv.end());
  Buffer x = test::to_device(ctx, xp, "x"), dy = test::to_device(ctx, dyp, "dy");
  Buffer y = test::nan_buffer(ctx, offset + n, "y"), dx = test::nan_buffer(ctx, offset + n, "dx");
  Stream s(ctx);
  const DeviceSpan xs(x, offset * 4, n), dys(dy, offset * 4, n), ys(y, offset * 4, n), dxs(dx, offset * 4, n);
  activation_forward(s, a, ys, xs, n, kAlpha);
  activation_backward(s, a, dxs, dys, xs, n, kAlpha);
  s.run();
  const auto yall = test::from_device(y, offset + n), dxall = test::from_device(dx, offset + n);
  for (size_t i = 0; i < offset; ++i) {  // nothing before the span was touched
    CHECK(std::isnan(yall[i]));
    CHECK(std::isnan(dxall[i]));
  }
  return {std::vector<float>(yall.begin() + offset, yall.end()), std::vector<float>(dxall.begin() + offset, dxall.end())};
}

}  // namespace

TEST_CASE("activation: forward and backward vs reference and finite differences, vec4 body and tails") {
  Context ctx(test::test_context_options());
  for (Activation a : kAll) {
    const RefFns f = ref_fns(a);
    for (size_t n : {1, 3, 7, 33, 65, 127, 4099}) {
      for (size_t offset : {0, 4, 3}) {  // 16-byte aligned (vec4 path) and 12 bytes (scalar path)
        if (offset * 4 % ctx.info().min_storage_buffer_offset_alignment) continue;  // not bindable here
        INFO(std::string(activation_name(a)) << " n " << n << " offset " << offset);
        const bool kink = a == Activation::ReLU || a == Activation::LeakyReLU;
        const ref::Inputs inputs = {fp32_rounded(kink ? ref::random_away_from_zero(n, 61 + n, 0.05, 4.0)
                                                      : ref::random_vector(n, 61 + n, -6.0, 6.0))};
        const auto dyv = fp32_rounded(ref::random_vector(n, 62 + n));
        const ref::ForwardFn forward = [&](const ref::Inputs& in) {
          std::vector<double> y(in[0].size());
          f.forward(y, in[0]);
          return y;
        };
        std::vector<double> dx(n, 0.0);
        f.backward(dx, dyv, inputs[0]);
        const Run got = run_gpu(ctx, a, inputs[0], dyv, offset);
        test::check_close(got.y, forward(inputs), f.atol, f.rtol, "forward");
        test::check_close(got.dx, dx, f.atol, f.rtol, "backward vs reference backward");
        if (n <= 127 && offset == 0)
          test::check_gradient(got.dx, test::fd_gradient(forward, inputs, 0, dyv), 1e-5, "dx vs finite differences");
      }
    }
  }
}

TEST_CASE("activation: dense sweep of [-20, 20] and special values, worst errors reported") {
  Context ctx(test::test_context_options());
  std::vector<double> xv;
  for (int i = -200000; i <= 200000; ++i) xv.push_back(static_cast<float>(i * 1e-4));
  for (double v : {0.0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, 88.0, -88.0, 1e4, -1e4, 1e30, -1e30}) xv.push_back(v);
  const std::vector<double> dyv(xv.size(), 1.0);
  for (Activation a : kAll) {
    INFO(std::string(activation_name(a)));
    const RefFns f = ref_fns(a);
    std::vector<double> y(xv.size()), dx(xv.size(), 0.0);
    f.forward(y, xv);
    f.backward(dx, dyv, xv);
    const Run got = run_gpu(ctx, a, xv, dyv, 0);
    test::check_close(got.y, y, f.atol, f.rtol, "forward sweep");
    test::check_close(got.dx, dx, f.atol, f.rtol, "derivative sweep");
  }
}

TEST_CASE("activation: in place (y = x, dx = dy)") {
  Context ctx(test::test_context_options());
  const size_t n = 37;
  const auto xv = fp32_rounded(ref::random_vector(n, 71, -3.0, 3.0)), dyv = fp32_rounded(ref::random_vector(n, 72));
  std::vector<double> y(n), dx(n, 0.0);
  ref::gelu_forward(y, xv);
  ref::gelu_backward(dx, dyv, xv);
  Buffer x = test::to_device(ctx, xv, "x"), x2 = test::to_device(ctx, xv, "x copy"), dy = test::to_device(ctx, dyv, "dy");
  Stream s(ctx);
  activation_backward(s, Activation::GELU, dy, dy, x2, n);  // dx overwrites dy
  activation_forward(s, Activation::GELU, x, x, n);          // y overwrites x
  s.run();
  test::check_close(test::from_device(x, n), y, 1e-6, 1e-5, "in-place forward");
  test::check_close(test::from_device(dy, n), dx, 1e-6, 1e-5, "in-place backward");
}

TEST_CASE("activation: texel and storage reads give bit-identical results") {
  // Device buffers are read through texel views (the tail vec4 fetched whole: NaN follows the
  // span here); host-visible ones cannot be, and take the storage path.
  Context ctx(test::test_context_options());
  const size_t n = 4099;
  auto with_nans = [](std::vector<double> v) {
    v.insert(v.end(), 5, std::nan(""));
    return v;
  };
  const auto xv = with_nans(ref::random_vector(n, 81, -4.0, 4.0)), dyv = with_nans(ref::random_vector(n, 82));
  auto shared_copy = [&](const std::vector<double>& v, const char* name) {
    Buffer b(ctx, v.size() * 4, name, MemoryUse::Shared);
    b.upload(std::vector<float>(v.begin(), v.end()));
    return b;
  };
  for (Activation a : kAll) {
    INFO(activation_name(a));
    Buffer x = test::to_device(ctx, xv, "x"), dy = test::to_device(ctx, dyv, "dy");
    Buffer xh = shared_copy(xv, "host x"), dyh = shared_copy(dyv, "host dy");
    Buffer y1 = test::nan_buffer(ctx, n, "y1"), y2 = test::nan_buffer(ctx, n, "y2");
    Buffer dx1 = test::nan_buffer(ctx, n, "dx1"), dx2 = test::nan_buffer(ctx, n, "dx2");
    Stream s(ctx);
    activation_forward(s, a, y1, DeviceSpan(x, 0, n), n, kAlpha);
    activation_backward(s, a, dx1, DeviceSpan(dy, 0, n), DeviceSpan(x, 0, n), n, kAlpha);
    activation_forward(s, a, y2, DeviceSpan(xh, 0, n), n, kAlpha);
    activation_backward(s, a, dx2, DeviceSpan(dyh, 0, n), DeviceSpan(xh, 0, n), n, kAlpha);
    s.run();
    auto bits = [&](const Buffer& b) {
      const auto f = test::from_device(b, n);
      std::vector<uint32_t> u(n);
      std::memcpy(u.data(), f.data(), n * 4);
      return u;
    };
    CHECK(bits(y1) == bits(y2));
    CHECK(bits(dx1) == bits(dx2));
  }
}

TEST_CASE("activation: names, and short spans are errors") {
  for (Activation a : kAll) CHECK(parse_activation(activation_name(a)) == a);
  CHECK_THROWS_AS(parse_activation("swish"), InputError);
  Context ctx(test::test_context_options());
  Buffer x(ctx, 16 * 4, "x"), y(ctx, 15 * 4, "y");
  Stream s(ctx);
  CHECK_THROWS_AS(activation_forward(s, Activation::ReLU, y, x, 16), Error);
  CHECK_THROWS_AS(activation_backward(s, Activation::ReLU, y, x, x, 16), Error);
}
