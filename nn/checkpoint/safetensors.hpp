#pragma once
// The safetensors format (what PyTorch's safetensors.torch.load_file reads):
//   u64 little-endian N | N bytes of JSON header, space-padded to a multiple of 8 | data
// The header maps each tensor name to {"dtype": "F32", "shape": [...], "data_offsets":
// [begin, end]} (offsets relative to the start of the data) and may hold "__metadata__", a
// map of string to string. We write F32 and I64 (counters such as batch norm's
// num_batches_tracked), tensors sorted by name with ascending offsets.
//
// Reading checks everything the reference checks and a little more, so a damaged file is
// an InputError naming the file and the problem, never garbage weights: header length past
// the end of the file, a header that is not a JSON object, a dtype other than F32 or I64, bad
// shapes, offsets that overlap, leave gaps, disagree with the shape (elements * 4 bytes) or
// do not cover the data exactly, and metadata that is not string -> string.
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "nn/checkpoint/named_tensor.hpp"

namespace vkt::nn {

using SafetensorsMetadata = std::map<std::string, std::string>;

struct SafetensorsContents {
  std::vector<NamedTensor> tensors;  // in file order (sorted by data offset)
  SafetensorsMetadata metadata;
};

// The whole file in memory. Tensors with duplicate, empty or "__metadata__" names, or whose
// data size disagrees with their shape -> Error (a bug in the caller, not bad input).
std::vector<uint8_t> encode_safetensors(std::span<const NamedTensor> tensors,
                                        const SafetensorsMetadata& metadata = {});
// encode + write_file_atomic.
void write_safetensors(const std::filesystem::path& path, std::span<const NamedTensor> tensors,
                       const SafetensorsMetadata& metadata = {});

SafetensorsContents decode_safetensors(std::span<const uint8_t> file, const std::string& source);
SafetensorsContents read_safetensors(const std::filesystem::path& path);

}  // namespace vkt::nn
