#include "tests/reference/pool.hpp"

#include <limits>

#include "tests/reference/common.hpp"

namespace vkt::ref {

using detail::check_size;

namespace {

void validate(const Pool2dShape& s, const char* op) {
  for (int v : {s.N, s.C, s.H, s.W, s.kh, s.kw, s.sh, s.sw}) detail::check_positive(v, op, "every dimension and stride");
  if (s.ph < 0 || s.pw < 0 || s.ph > s.kh / 2 || s.pw > s.kw / 2)
    throw std::invalid_argument(std::string(op) + ": padding must be in [0, kernel/2]");
  if (s.H + 2 * s.ph < s.kh || s.W + 2 * s.pw < s.kw)
    throw std::invalid_argument(std::string(op) + ": window larger than the padded input");
}

size_t in_size(const Pool2dShape& s) { return size_t(s.N) * s.C * s.H * s.W; }
size_t out_size(const Pool2dShape& s) { return size_t(s.N) * s.C * s.OH() * s.OW(); }

}  // namespace

void maxpool2d_forward(std::span<double> y, std::span<int32_t> argmax, std::span<const double> x,
                       const Pool2dShape& s) {
  validate(s, "maxpool2d_forward");
  check_size(y.size(), out_size(s), "maxpool2d_forward", "y");
  check_size(argmax.size(), out_size(s), "maxpool2d_forward", "argmax");
  check_size(x.size(), in_size(s), "maxpool2d_forward", "x");
  const int OH = s.OH(), OW = s.OW();
  for (size_t plane = 0; plane < size_t(s.N) * s.C; ++plane) {
    const double* xp = x.data() + plane * s.H * s.W;
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow) {
        double best = -std::numeric_limits<double>::infinity();
        int32_t best_i = -1;
        for (int r = 0; r < s.kh; ++r) {
          const int ih = oh * s.sh - s.ph + r;
          if (ih < 0 || ih >= s.H) continue;  // padding is -inf: never chosen
          for (int q = 0; q < s.kw; ++q) {
            const int iw = ow * s.sw - s.pw + q;
            if (iw < 0 || iw >= s.W) continue;
            const double v = xp[ih * s.W + iw];
            // Strict > keeps the first maximum; best_i < 0 makes a real cell win even if it is -inf.
            if (best_i < 0 || v > best) {
              best = v;
              best_i = ih * s.W + iw;
            }
          }
        }
        const size_t o = (plane * OH + oh) * OW + ow;
        y[o] = best;
        argmax[o] = best_i;
      }
  }
}

void maxpool2d_backward(std::span<double> dx, std::span<const double> dy, std::span<const int32_t> argmax,
                        const Pool2dShape& s) {
  validate(s, "maxpool2d_backward");
  check_size(dx.size(), in_size(s), "maxpool2d_backward", "dx");
  check_size(dy.size(), out_size(s), "maxpool2d_backward", "dy");
  check_size(argmax.size(), out_size(s), "maxpool2d_backward", "argmax");
  const size_t plane_out = size_t(s.OH()) * s.OW(), plane_in = size_t(s.H) * s.W;
  for (size_t o = 0; o < dy.size(); ++o) {
    const int32_t a = argmax[o];
    if (a < 0 || size_t(a) >= plane_in) throw std::invalid_argument("maxpool2d_backward: argmax out of range");
    dx[(o / plane_out) * plane_in + a] += dy[o];
  }
}

void avgpool2d_forward(std::span<double> y, std::span<const double> x, const Pool2dShape& s) {
  validate(s, "avgpool2d_forward");
  check_size(y.size(), out_size(s), "avgpool2d_forward", "y");
  check_size(x.size(), in_size(s), "avgpool2d_forward", "x");
  const int OH = s.OH(), OW = s.OW();
  const double inv = 1.0 / (double(s.kh) * s.kw);  // count_include_pad=True: padded cells count
  for (size_t plane = 0; plane < size_t(s.N) * s.C; ++plane) {
    const double* xp = x.data() + plane * s.H * s.W;
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow) {
        double acc = 0;
        for (int r = 0; r < s.kh; ++r) {
          const int ih = oh * s.sh - s.ph + r;
          if (ih < 0 || ih >= s.H) continue;
          for (int q = 0; q < s.kw; ++q) {
            const int iw = ow * s.sw - s.pw + q;
            if (iw < 0 || iw >= s.W) continue;
            acc += xp[ih * s.W + iw];
          }
        }
        y[(plane * OH + oh) * OW + ow] = acc * inv;
      }
  }
}

void avgpool2d_backward(std::span<double> dx, std::span<const double> dy, const Pool2dShape& s) {
  validate(s, "avgpool2d_backward");
  check_size(dx.size(), in_size(s), "avgpool2d_backward", "dx");
  check_size(dy.size(), out_size(s), "avgpool2d_backward", "dy");
  const int OH = s.OH(), OW = s.OW();
  const double inv = 1.0 / (double(s.kh) * s.kw);
  for (size_t plane = 0; plane < size_t(s.N) * s.C; ++plane) {
    double* dxp = dx.data() + plane * s.H * s.W;
    for (int oh = 0; oh < OH; ++oh)
      for (int ow = 0; ow < OW; ++ow) {
        const double g = dy[(plane * OH + oh) * OW + ow] * inv;
        for (int r = 0; r < s.kh; ++r) {
          const int ih = oh * s.sh - s.ph + r;
          if (ih < 0 || ih >= s.H) continue;
          for (int q = 0; q < s.kw; ++q) {
            const int iw = ow * s.sw - s.pw + q;
            if (iw < 0 || iw >= s.W) continue;
            dxp[ih * s.W + iw] += g;
          }
        }
      }
  }
}

void global_avgpool_forward(std::span<double> y, std::span<const double> x, int N, int C, int H, int W) {
  for (int v : {N, C, H, W}) detail::check_positive(v, "global_avgpool_forward", "every dimension");
  check_size(y.size(), size_t(N) * C, "global_avgpool_forward", "y");
  check_size(x.size(), size_t(N) * C * H * W, "global_avgpool_forward", "x");
  const size_t hw = size_t(H) * W;
  for (size_t p = 0; p < size_t(N) * C; ++p) {
    double acc = 0;
    for (size_t i = 0; i < hw; ++i) acc += x[p * hw + i];
    y[p] = acc / double(hw);
  }
}

void global_avgpool_backward(std::span<double> dx, std::span<const double> dy, int N, int C, int H, int W) {
  for (int v : {N, C, H, W}) detail::check_positive(v, "global_avgpool_backward", "every dimension");
  check_size(dx.size(), size_t(N) * C * H * W, "global_avgpool_backward", "dx");
  check_size(dy.size(), size_t(N) * C, "global_avgpool_backward", "dy");
  const size_t hw = size_t(H) * W;
  for (size_t p = 0; p < size_t(N) * C; ++p)
    for (size_t i = 0; i < hw; ++i) dx[p * hw + i] += dy[p] / double(hw);
}

}  // namespace vkt::ref
