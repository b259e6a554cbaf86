#include "tests/reference/batchnorm.hpp"

#include <cmath>

#include "tests/reference/common.hpp"

namespace vkt::ref {

using detail::check_size;

namespace {
inline size_t at(int n, int c, size_t i, int C, int HW) { return (size_t(n) * C + c) * HW + i; }
}  // namespace

void batchnorm_forward_train(std::span<double> y, std::span<double> save_mean, std::span<double> save_invstd,
                             std::span<double> running_mean, std::span<double> running_var,
                             std::span<const double> x, std::span<const double> gamma, std::span<const double> beta,
                             int N, int C, int HW, double eps, double momentum) {
  const char* op = "batchnorm_forward_train";
  for (int v : {N, C, HW}) detail::check_positive(v, op, "N, C and HW");
  const size_t total = size_t(N) * C * HW, M = size_t(N) * HW;
  if (M < 2) throw std::invalid_argument("batchnorm_forward_train: needs more than one value per channel");
  check_size(y.size(), total, op, "y");
  check_size(x.size(), total, op, "x");
  for (auto [s, name] : {std::pair{save_mean.size(), "save_mean"}, {save_invstd.size(), "save_invstd"},
                         {running_mean.size(), "running_mean"}, {running_var.size(), "running_var"},
                         {gamma.size(), "gamma"}, {beta.size(), "beta"}})
    check_size(s, size_t(C), op, name);
  for (int c = 0; c < C; ++c) {
    double sum = 0;
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < HW; ++i) sum += x[at(n, c, i, C, HW)];
    const double mean = sum / double(M);
    // Two-pass variance: exact enough in double for any test size, and no cancellation.
    double sq = 0;
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < HW; ++i) {
        const double d = x[at(n, c, i, C, HW)] - mean;
        sq += d * d;
      }
    const double var = sq / double(M);
    const double invstd = 1.0 / std::sqrt(var + eps);
    save_mean[c] = mean;
    save_invstd[c] = invstd;
    running_mean[c] = (1.0 - momentum) * running_mean[c] + momentum * mean;
    running_var[c] = (1.0 - momentum) * running_var[c] + momentum * (sq / double(M - 1));
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < HW; ++i) {
        const size_t j = at(n, c, i, C, HW);
        y[j] = gamma[c] * (x[j] - mean) * invstd + beta[c];
      }
  }
}

void batchnorm_forward_infer(std::span<double> y, std::span<const double> x, std::span<const double> gamma,
                             std::span<const double> beta, std::span<const double> running_mean,
                             std::span<const double> running_var, int N, int C, int HW, double eps) {
  const char* op = "batchnorm_forward_infer";
  for (int v : {N, C, HW}) detail::check_positive(v, op, "N, C and HW");
  const size_t total = size_t(N) * C * HW;
  check_size(y.size(), total, op, "y");
  check_size(x.size(), total, op, "x");
  for (auto [s, name] : {std::pair{gamma.size(), "gamma"}, {beta.size(), "beta"},
                         {running_mean.size(), "running_mean"}, {running_var.size(), "running_var"}})
    check_size(s, size_t(C), op, name);
  for (int c = 0; c < C; ++c) {
    const double invstd = 1.0 / std::sqrt(running_var[c] + eps);
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < HW; ++i) {
        const size_t j = at(n, c, i, C, HW);
        y[j] = gamma[c] * (x[j] - running_mean[c]) * invstd + beta[c];
      }
  }
}

void batchnorm_backward(std::span<double> dx, std::span<double> dgamma, std::span<double> dbeta,
                        std::span<const double> dy, std::span<const double> x, std::span<const double> gamma,
                        std::span<const double> save_mean, std::span<const double> save_invstd, int N, int C,
                        int HW) {
  const char* op = "batchnorm_backward";
  for (int v : {N, C, HW}) detail::check_positive(v, op, "N, C and HW");
  const size_t total = size_t(N) * C * HW;
  const double M = double(size_t(N) * HW);
  detail::check_optional_size(dx.size(), total, op, "dx");
  check_size(dy.size(), total, op, "dy");
  check_size(x.size(), total, op, "x");
  for (auto [s, name] : {std::pair{dgamma.size(), "dgamma"}, {dbeta.size(), "dbeta"}, {gamma.size(), "gamma"},
                         {save_mean.size(), "save_mean"}, {save_invstd.size(), "save_invstd"}})
    check_size(s, size_t(C), op, name);
  for (int c = 0; c < C; ++c) {
    const double mean = save_mean[c], invstd = save_invstd[c];
    double sum_dy = 0, sum_dy_xhat = 0;
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < HW; ++i) {
        const size_t j = at(n, c, i, C, HW);
        sum_dy += dy[j];
        sum_dy_xhat += dy[j] * (x[j] - mean) * invstd;
      }
    dbeta[c] += sum_dy;
    dgamma[c] += sum_dy_xhat;
    if (dx.empty()) continue;
    // d/dx of gamma*xhat through xhat, mean and var: the mean term removes sum dy, the
    // variance term removes the component of dy along xhat.
    const double k = gamma[c] * invstd / M;
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < HW; ++i) {
        const size_t j = at(n, c, i, C, HW);
        const double xhat = (x[j] - mean) * invstd;
        dx[j] += k * (M * dy[j] - sum_dy - xhat * sum_dy_xhat);
      }
  }
}

}  // namespace vkt::ref
