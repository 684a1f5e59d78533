// Byte strings, fixed-size hashes and hex conversion used across all modules.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace licenced {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
// A SHA-256 digest.
using Hash = std::array<uint8_t, 32>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string ToString(ByteView b) { return std::string(b.begin(), b.end()); }

// Lower-case hex.
std::string ToHex(ByteView data);
// Accepts upper or lower case; rejects odd length and non-hex characters.
Result<Bytes> FromHex(std::string_view hex);
// Exactly 64 hex characters.
Result<Hash> HashFromHex(std::string_view hex);

}  // namespace licenced
