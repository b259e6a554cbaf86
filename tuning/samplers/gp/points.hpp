#pragma once
// Points of the model's input space [0,1]^d, stored row-major in one vector, and observations
// (points with their standardized values). The GP code keeps Eigen out of its headers (the
// tuning library links Eigen privately), so this is how points cross them; inside, the .cpp
// files view the storage as Eigen matrices without copying.
#include <cstddef>
#include <span>
#include <vector>

namespace vkt::tune::gp {

struct Points {
  size_t dim = 0;
  std::vector<double> data;  // size() * dim values: point i is data[i*dim .. i*dim + dim)

  explicit Points(size_t dim_ = 0) : dim(dim_) {}
  size_t size() const { return dim == 0 ? 0 : data.size() / dim; }
  std::span<const double> operator[](size_t i) const { return {data.data() + i * dim, dim}; }
  void add(std::span<const double> x) { data.insert(data.end(), x.begin(), x.end()); }
};

struct Observations {
  Points x;
  std::vector<double> y;  // y[i] is the value observed at x[i]

  explicit Observations(size_t dim = 0) : x(dim) {}
  size_t size() const { return y.size(); }
  size_t dim() const { return x.dim; }
  void add(std::span<const double> point, double value) {
    x.add(point);
    y.push_back(value);
  }
};

}  // namespace vkt::tune::gp
