#pragma once
// CRC-32C (Castagnoli, the iSCSI polynomial 0x1EDC6F41, reflected), as TensorBoard's record
// framing uses it, and the rotation-plus-constant "mask" that framing applies to it.
#include <cstdint>
#include <span>

namespace vkt::nn {

uint32_t crc32c(std::span<const uint8_t> bytes);
// ((crc >> 15) | (crc << 17)) + 0xa282ead8: stored instead of the CRC itself so that a CRC of
// data holding CRCs is not trivially related to them.
uint32_t masked_crc32c(std::span<const uint8_t> bytes);

}  // namespace vkt::nn
