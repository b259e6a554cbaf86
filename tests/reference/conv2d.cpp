#include "tests/reference/conv2d.hpp"

#include "tests/reference/common.hpp"

namespace vkt::ref {

using detail::check_optional_size;
using detail::check_size;

namespace {

void validate(const Conv2dShape& s, const char* op) {
  for (int v : {s.N, s.C, s.H, s.W, s.K, s.R, s.S, s.sh, s.sw}) detail::check_positive(v, op, "every dimension and stride");
  if (s.ph < 0 || s.pw < 0) throw std::invalid_argument(std::string(op) + ": negative padding");
  if (s.H + 2 * s.ph < s.R || s.W + 2 * s.pw < s.S)
    throw std::invalid_argument(std::string(op) + ": kernel larger than the padded input");
}

}  // namespace

void conv2d_forward(std::span<double> y, std::span<const double> x, std::span<const double> w,
                    std::span<const double> b, const Conv2dShape& s) {
  validate(s, "conv2d_forward");
  const int OH = s.OH(), OW = s.OW();
  check_size(y.size(), size_t(s.N) * s.K * OH * OW, "conv2d_forward", "y");
  check_size(x.size(), size_t(s.N) * s.C * s.H * s.W, "conv2d_forward", "x");
  check_size(w.size(), size_t(s.K) * s.C * s.R * s.S, "conv2d_forward", "w");
  check_optional_size(b.size(), size_t(s.K), "conv2d_forward", "b");
  for (int n = 0; n < s.N; ++n)
    for (int k = 0; k < s.K; ++k)
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
          double acc = b.empty() ? 0.0 : b[k];
          for (int c = 0; c < s.C; ++c)
            for (int r = 0; r < s.R; ++r) {
              const int ih = oh * s.sh - s.ph + r;
              if (ih < 0 || ih >= s.H) continue;  // zero padding contributes nothing
              for (int q = 0; q < s.S; ++q) {
                const int iw = ow * s.sw - s.pw + q;
                if (iw < 0 || iw >= s.W) continue;
                acc += x[((size_t(n) * s.C + c) * s.H + ih) * s.W + iw] * w[((size_t(k) * s.C + c) * s.R + r) * s.S + q];
              }
            }
          y[((size_t(n) * s.K + k) * OH + oh) * OW + ow] = acc;
        }
}

void conv2d_backward(std::span<double> dx, std::span<double> dw, std::span<double> db, std::span<const double> dy,
                     std::span<const double> x, std::span<const double> w, const Conv2dShape& s) {
  validate(s, "conv2d_backward");
  const int OH = s.OH(), OW = s.OW();
  check_optional_size(dx.size(), size_t(s.N) * s.C * s.H * s.W, "conv2d_backward", "dx");
  check_size(dw.size(), size_t(s.K) * s.C * s.R * s.S, "conv2d_backward", "dw");
  check_optional_size(db.size(), size_t(s.K), "conv2d_backward", "db");
  check_size(dy.size(), size_t(s.N) * s.K * OH * OW, "conv2d_backward", "dy");
  check_size(x.size(), size_t(s.N) * s.C * s.H * s.W, "conv2d_backward", "x");
  check_size(w.size(), size_t(s.K) * s.C * s.R * s.S, "conv2d_backward", "w");
  // The straightforward scatter form of the chain rule: every (output, tap) pair of the forward
  // loop sends dy back to the input and to the weight it multiplied. Slow but obviously right,
  // and written differently from the gather form a GPU kernel would use.
  for (int n = 0; n < s.N; ++n)
    for (int k = 0; k < s.K; ++k)
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
          const double g = dy[((size_t(n) * s.K + k) * OH + oh) * OW + ow];
          if (!db.empty()) db[k] += g;
          for (int c = 0; c < s.C; ++c)
            for (int r = 0; r < s.R; ++r) {
              const int ih = oh * s.sh - s.ph + r;
              if (ih < 0 || ih >= s.H) continue;
              for (int q = 0; q < s.S; ++q) {
                const int iw = ow * s.sw - s.pw + q;
                if (iw < 0 || iw >= s.W) continue;
                const size_t xi = ((size_t(n) * s.C + c) * s.H + ih) * s.W + iw;
                const size_t wi = ((size_t(k) * s.C + c) * s.R + r) * s.S + q;
                dw[wi] += g * x[xi];
                if (!dx.empty()) dx[xi] += g * w[wi];
              }
            }
        }
}

}  // namespace vkt::ref
