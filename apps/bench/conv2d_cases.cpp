// Benchmark rows for conv2d's three passes on every convolution of the seed models.
#include "apps/bench/bench_case.hpp"
#include "apps/bench/bench_check.hpp"
#include "apps/bench/seed_shapes.hpp"
#include "nn/ops/conv2d_routes.hpp"
#include "nn/plan/conv2d_plan.hpp"
#include "tests/reference/conv2d.hpp"
#include "tests/reference/layout.hpp"
#include "tests/reference/pool.hpp"

namespace vkt::app {
namespace {

enum class Pass { Forward, BackwardData, BackwardWeight };

struct ConvState {
  nn::Conv2dPlan c;
  std::vector<double> x, w, b, dy;
  Buffer X, W, Bias, Y, DY, DX, DW, DB, Col, T, WGemm, Partials, Argmax, V;
  nn::Conv2dWorkspace ws() const {
    return {Col, T, nn::conv2d_workspace_size(c).w_gemm ? nn::DeviceSpan(WGemm) : nn::DeviceSpan{}, Partials,
            c.pool ? nn::DeviceSpan(Argmax) : nn::DeviceSpan{}, nn::conv2d_workspace_size(c).v ? nn::DeviceSpan(V) : nn::DeviceSpan{}};
  }
  // The reference output (pooled with c.pool), and the gradient reaching the convolution's
  // own output: dy, or dy routed back through the pool's argmax.
  std::vector<double> ref_output(std::vector<int32_t>* argmax = nullptr) const {
    std::vector<double> y(size_t(c.P()) * c.K);
    ref::conv2d_forward(y, x, w, b, ref::Conv2dShape::from(c));
    if (!c.pool) return y;
    std::vector<double> pooled(c.out_count());
    std::vector<int32_t> arg(pooled.size());
    ref::maxpool2d_forward(pooled, arg, y, pool_shape());
    if (argmax) *argmax = arg;
    return pooled;
  }
  std::vector<double> ref_conv_output_grad() const {
    if (!c.pool) return dy;
    std::vector<int32_t> argmax;
    ref_output(&argmax);
    std::vector<double> d(size_t(c.P()) * c.K, 0.0);
    ref::maxpool2d_backward(d, dy, argmax, pool_shape());
    return d;
  }
  // x and dx, y and dy as the device holds them (c.x_channels_last, c.y_channels_last).
  template <typename T>
  std::vector<T> to_device_x(const std::vector<T>& v) const {
    return c.x_channels_last ? ref::nchw_to_nhwc(v, c.N, c.C, c.H, c.W) : v;
  }
  template <typename T>
  std::vector<T> from_device_x(const std::vector<T>& v) const {
    return c.x_channels_last ? ref::nhwc_to_nchw(v, c.N, c.C, c.H, c.W) : v;
  }
  template <typename T>
  std::vector<T> to_device_y(const std::vector<T>& v) const {
    return c.y_channels_last ? ref::nchw_to_nhwc(v, c.N, c.K, c.PH(), c.PW()) : v;
  }
  template <typename T>
  std::vector<T> from_device_y(const std::vector<T>& v) const {
    return c.y_channels_last ? ref::nhwc_to_nchw(v, c.N, c.K, c.PH(), c.PW()) : v;
  }
  ref::Pool2dShape pool_shape() const {
    ref::Pool2dShape p;
    p.N = int(c.N), p.C = int(c.K), p.H = int(c.OH()), p.W = int(c.OW());
    return p;
  }
};


// The route training takes on this device: Winograd or im2col, and which of x and y are
// channels-last (nn/model/graph.cpp). Data is generated NCHW and converted at the edges.
BenchCase conv_case(Context& ctx, const NamedConv& layer, Pass pass) {
  const bool first_layer = layer.first;
  nn::Conv2dPlan c = nn::plan_conv2d(ctx, layer.shape, !first_layer);
  c.x_channels_last = layer.x_from_conv && ctx.policy().channels_last;
  c.y_channels_last = layer.y_to_conv && nn::conv2d_channels_last_output_ok(ctx, c, !first_layer);
  auto st = std::make_shared<ConvState>();
  st->c = c;
  const size_t xs = size_t(c.N) * c.C * c.H * c.W, ys = c.out_count(), ws = size_t(c.K) * c.CRS();
  st->x = random_data(xs, 1);
  st->w = random_data(ws, 2);
  st->b = random_data(c.K, 3);
  st->dy = random_data(ys, 4);
  st->X = device_copy(ctx, st->to_device_x(st->x), "x");
  st->W = device_copy(ctx, st->w, "w");
  st->Bias = device_copy(ctx, st->b, "b");
  st->DY = device_copy(ctx, st->to_device_y(st->dy), "dy");
  st->Y = device_zeros(ctx, ys, "y");
  st->DX = device_zeros(ctx, xs, "dx");
  st->DW = device_zeros(ctx, ws, "dw");
  st->DB = device_zeros(ctx, c.K, "db");
  const auto wsz = nn::conv2d_workspace_size(c);
  st->Col = device_zeros(ctx, wsz.col, "col");
  st->T = device_zeros(ctx, wsz.t, "t");
  st->WGemm = device_zeros(ctx, std::max<uint64_t>(wsz.w_gemm, 1), "w_gemm");
  st->Partials = device_zeros(ctx, wsz.partials, "partials");
  st->Argmax = device_zeros(ctx, std::max<uint64_t>(wsz.argmax, 1), "argmax");
  st->V = device_zeros(ctx, std::max<uint64_t>(wsz.v, 1), "winograd v");

  BenchCase bc;
  bc.flops = double(c.flops());  // the direct route's count on either route: GFLOP/s compare
  bc.variant = nn::conv2d_route_name(c.route) + (c.x_channels_last || c.y_channels_last ? "+cl" : "");
  auto* s_ = st.get();
  // Every pass runs after a forward (it fills col); backward-data after backward-weight
  // (it leaves dy' in the workspace).
  switch (pass) {
    case Pass::Forward:
      bc.record = [s_](Stream& s) { nn::conv2d_forward(s, s_->Y, s_->X, s_->W, s_->Bias, s_->c, s_->ws()); };
      bc.check = [s_]() {
        const std::vector<double> y = s_->ref_output();
        return compare_to_reference(s_->from_device_y(s_->Y.download_as<float>(y.size())), y);
      };
      break;
    case Pass::BackwardWeight:
      bc.record_setup = [s_](Stream& s) { nn::conv2d_forward(s, s_->Y, s_->X, s_->W, s_->Bias, s_->c, s_->ws()); };
      // A model's first layer needs no dx: time the route training takes then.
      bc.record = [s_, first_layer](Stream& s) {
        nn::conv2d_backward_weight(s, s_->DW, s_->DB, s_->DY, s_->X, s_->c, s_->ws(), !first_layer);
      };
      bc.check = [s_]() {
        std::vector<double> dw(s_->w.size(), 0.0), db(s_->c.K, 0.0);
        ref::conv2d_backward({}, dw, db, s_->ref_conv_output_grad(), s_->x, s_->w, ref::Conv2dShape::from(s_->c));
        std::string e = compare_to_reference(s_->DW.download_as<float>(dw.size()), dw);
        return e.empty() ? compare_to_reference(s_->DB.download_as<float>(db.size()), db) : e;
      };
      break;
    case Pass::BackwardData:
      bc.record_setup = [s_](Stream& s) {
        nn::conv2d_forward(s, s_->Y, s_->X, s_->W, s_->Bias, s_->c, s_->ws());
        nn::conv2d_backward_weight(s, s_->DW, s_->DB, s_->DY, s_->X, s_->c, s_->ws());
      };
      bc.record = [s_](Stream& s) { nn::conv2d_backward_data(s, s_->DX, s_->W, s_->c, s_->ws()); };
      bc.check = [s_]() {
        std::vector<double> dx(s_->x.size(), 0.0), dw(s_->w.size(), 0.0);
        ref::conv2d_backward(dx, dw, {}, s_->ref_conv_output_grad(), s_->x, s_->w, ref::Conv2dShape::from(s_->c));
        return compare_to_reference(s_->from_device_x(s_->DX.download_as<float>(dx.size())), dx);
      };
      break;
  }
  bc.keep_alive = st;
  return bc;
}

std::string describe(const std::string& name, const nn::Conv2dShape& c) {
  return name + " " + std::to_string(c.C) + "->" + std::to_string(c.K) + " " + std::to_string(c.H) + "x" +
         std::to_string(c.W) + " k" + std::to_string(c.R);
}

}  // namespace

void add_conv2d_cases(std::vector<BenchEntry>& table) {
  for (const auto& layer : seed_convolutions()) {
    const std::string shape = describe(layer.name, layer.shape);
    table.push_back({"conv2d_forward", shape, [layer](Context& ctx) { return conv_case(ctx, layer, Pass::Forward); }});
    if (!layer.first)  // the first layer of a model needs no input gradient
      table.push_back({"conv2d_backward_data", shape,
                       [layer](Context& ctx) { return conv_case(ctx, layer, Pass::BackwardData); }});
    table.push_back({"conv2d_backward_weight", shape,
                     [layer](Context& ctx) { return conv_case(ctx, layer, Pass::BackwardWeight); }});
  }
}

}  // namespace vkt::app
