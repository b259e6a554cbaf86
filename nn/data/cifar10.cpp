#include "nn/data/cifar10.hpp"

#include "util/error.hpp"
#include "util/file_io.hpp"

namespace vkt::nn {

Dataset parse_cifar10_batch(std::span<const uint8_t> bytes, const std::string& source) {
  if (bytes.empty()) throw InputError(source + ": empty file; a CIFAR-10 batch holds 3073-byte records");
  if (bytes.size() % kCifar10RecordBytes != 0)
    throw InputError(source + ": size " + std::to_string(bytes.size()) +
                     " is not a multiple of the 3073-byte CIFAR-10 record (" +
                     std::to_string(bytes.size() / kCifar10RecordBytes) + " records and " +
                     std::to_string(bytes.size() % kCifar10RecordBytes) + " bytes left over)");
  const size_t records = bytes.size() / kCifar10RecordBytes;
  if (records > UINT32_MAX) throw InputError(source + ": too many records (" + std::to_string(records) + ")");
  Dataset data;
  data.count = static_cast<uint32_t>(records);
  data.channels = 3;
  data.height = data.width = kCifar10Side;
  data.classes = 10;
  data.labels.resize(records);
  data.images.resize(records * data.image_bytes());
  for (size_t r = 0; r < records; ++r) {
    const uint8_t* record = bytes.data() + r * kCifar10RecordBytes;
    if (record[0] > 9)
      throw InputError(source + ": record " + std::to_string(r) + " has label " + std::to_string(record[0]) +
                       "; CIFAR-10 labels are 0..9");
    data.labels[r] = record[0];
    std::copy(record + 1, record + kCifar10RecordBytes, data.images.begin() + r * data.image_bytes());
  }
  return data;
}

Dataset read_cifar10_batch(const std::filesystem::path& path) {
  return parse_cifar10_batch(read_file(path), path.string());
}

Dataset read_cifar10_batches(std::span<const std::filesystem::path> paths) {
  Dataset all;
  all.channels = 3;
  all.height = all.width = kCifar10Side;
  all.classes = 10;
  for (const auto& path : paths) {
    Dataset batch = read_cifar10_batch(path);
    if (uint64_t{all.count} + batch.count > UINT32_MAX)
      throw InputError(path.string() + ": the batches together hold more than 2^32 images");
    all.count += batch.count;
    all.images.insert(all.images.end(), batch.images.begin(), batch.images.end());
    all.labels.insert(all.labels.end(), batch.labels.begin(), batch.labels.end());
  }
  return all;
}

}  // namespace vkt::nn
