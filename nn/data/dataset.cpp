#include "nn/data/dataset.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "nn/data/cifar10.hpp"
#include "nn/data/idx.hpp"
#include "nn/data/permutation.hpp"
#include "util/error.hpp"

namespace vkt::nn {
namespace fs = std::filesystem;

namespace {

struct KindName {
  DatasetKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 3> kKindNames{{
    {DatasetKind::mnist, "mnist"},
    {DatasetKind::fashion_mnist, "fashion-mnist"},
    {DatasetKind::cifar10, "cifar10"},
}};

void require_directory(const fs::path& dir, DatasetKind kind) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  std::string hint;
  if (kind == DatasetKind::fashion_mnist) hint = "install Debian's dataset-fashion-mnist or pass the directory";
  throw InputError(dir.string() + ": " + std::string(dataset_kind_name(kind)) + " data directory " +
                       (fs::exists(dir, ec) ? "is not a directory" : "does not exist"),
                   hint);
}

// `name` or `name`.gz in `dir`, whichever exists (the raw file when both do).
fs::path find_idx_file(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  for (const fs::path& candidate : {dir / name, dir / (name + ".gz")})
    if (fs::is_regular_file(candidate, ec)) return candidate;
  throw InputError((dir / name).string() + ": missing (looked for " + name + " and " + name + ".gz in " +
                   dir.string() + ")");
}

// One IDX images + labels pair as a Dataset, with the checks that need both files.
Dataset load_idx_pair(const fs::path& dir, const std::string& prefix) {
  const fs::path images_path = find_idx_file(dir, prefix + "-images-idx3-ubyte");
  const fs::path labels_path = find_idx_file(dir, prefix + "-labels-idx1-ubyte");
  IdxImages images = read_idx_images(images_path);
  std::vector<uint8_t> labels = read_idx_labels(labels_path);
  if (images.rows != 28 || images.cols != 28)
    throw InputError(images_path.string() + ": images are " + std::to_string(images.rows) + "x" +
                     std::to_string(images.cols) + "; this data set has 28x28 images");
  if (labels.size() != images.count)
    throw InputError(labels_path.string() + ": holds " + std::to_string(labels.size()) + " labels but " +
                     images_path.string() + " holds " + std::to_string(images.count) + " images");
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] > 9)
      throw InputError(labels_path.string() + ": label " + std::to_string(i) + " is " + std::to_string(labels[i]) +
                       "; this data set's labels are 0..9");
  Dataset data;
  data.count = images.count;
  data.channels = 1;
  data.height = images.rows;
  data.width = images.cols;
  data.images = std::move(images.pixels);
  data.labels = std::move(labels);
  data.classes = 10;
  return data;
}

fs::path cifar10_root(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir / "data_batch_1.bin", ec) && fs::is_directory(dir / "cifar-10-batches-bin", ec))
    return dir / "cifar-10-batches-bin";
  return dir;
}

fs::path require_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw InputError(path.string() + ": missing");
  return path;
}

// Training images and test images, before the validation split.
std::pair<Dataset, Dataset> load_train_and_test(DatasetKind kind, const fs::path& dir) {
  if (kind == DatasetKind::cifar10) {
    const fs::path root = cifar10_root(dir);
    std::vector<fs::path> train_files;
    for (int i = 1; i <= 5; ++i) train_files.push_back(require_file(root / ("data_batch_" + std::to_string(i) + ".bin")));
    const fs::path test_file = require_file(root / "test_batch.bin");
    return {read_cifar10_batches(train_files), read_cifar10_batch(test_file)};
  }
  return {load_idx_pair(dir, "train"), load_idx_pair(dir, "t10k")};
}

}  // namespace

DatasetKind parse_dataset_kind(std::string_view name) {
  for (const auto& k : kKindNames)
    if (k.name == name) return k.kind;
  std::string valid;
  for (const auto& k : kKindNames) valid += (valid.empty() ? "" : ", ") + std::string(k.name);
  throw InputError("unknown data set '" + std::string(name) + "'; valid: " + valid);
}

std::string_view dataset_kind_name(DatasetKind kind) {
  for (const auto& k : kKindNames)
    if (k.kind == kind) return k.name;
  return "unknown";
}

std::optional<fs::path> default_dataset_dir(DatasetKind kind) {
  if (kind == DatasetKind::fashion_mnist) return fs::path("/usr/share/datasets/fashion-mnist");
  return std::nullopt;
}

uint32_t validation_count(uint32_t n, double val_split) {
  if (!(val_split >= 0.0 && val_split < 1.0))
    throw InputError("validation split " + std::to_string(val_split) + " is outside [0, 1)");
  // 0.29 * 100 is 28.999999999999996 in binary; the tolerance makes it 29 as written.
  auto v = static_cast<uint64_t>(std::floor(val_split * n + 1e-9));
  // The tolerance must never take the whole training set: keep at least one image.
  if (n > 0 && v >= n) v = n - 1;
  return static_cast<uint32_t>(v);
}

Dataset select(const Dataset& data, const std::vector<uint32_t>& indices) {
  Dataset out;
  out.channels = data.channels;
  out.height = data.height;
  out.width = data.width;
  out.classes = data.classes;
  out.count = static_cast<uint32_t>(indices.size());
  const size_t image = data.image_bytes();
  out.images.resize(indices.size() * image);
  out.labels.resize(indices.size());
  for (size_t i = 0; i < indices.size(); ++i) {
    const uint32_t from = indices[i];
    if (from >= data.count) throw Error("select: index " + std::to_string(from) + " beyond " + std::to_string(data.count));
    std::copy_n(data.images.begin() + from * image, image, out.images.begin() + i * image);
    out.labels[i] = data.labels[from];
  }
  return out;
}

Dataset subset(const Dataset& data, uint32_t n) {
  std::vector<uint32_t> first(std::min(n, data.count));
  for (uint32_t i = 0; i < first.size(); ++i) first[i] = i;
  return select(data, first);
}

DataSplits load_dataset(DatasetKind kind, const fs::path& dir, double val_split, uint64_t split_seed) {
  validation_count(0, val_split);  // reject a bad split before reading tens of megabytes
  require_directory(dir, kind);
  auto [full_train, test] = load_train_and_test(kind, dir);

  const uint32_t n = full_train.count;
  const uint32_t v = validation_count(n, val_split);
  std::vector<uint32_t> order = seeded_permutation(n, split_seed);
  std::vector<uint32_t> train_indices(order.begin(), order.end() - v);
  std::vector<uint32_t> val_indices(order.end() - v, order.end());
  std::sort(train_indices.begin(), train_indices.end());
  std::sort(val_indices.begin(), val_indices.end());

  DataSplits splits;
  splits.val = select(full_train, val_indices);
  splits.train = v == 0 ? std::move(full_train) : select(full_train, train_indices);
  splits.test = std::move(test);
  return splits;
}

}  // namespace vkt::nn
