// Licence status in ledger state: the state key and the exact value encoding
// that a status proof (issue "licencectl and offline-verifiable proofs") relies
// on, and the salted field commitment. Documented byte for byte in
// docs/chaincode.md ("State key layout"). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vector>

#include "chaincode/state_view.h"
#include "core/bytes.h"
#include "core/status.h"

namespace licenced::chaincode {

// "licence/status/<identifier>" -> LicenceStatusValue::Encode()
std::string LicenceStatusKey(std::string_view identifier);
// "licence/record/<identifier>" -> the licence record, compact JSON (UTF-8),
// immutable once written; LicenceStatusValue::record_hash = SHA-256 of these bytes.
std::string LicenceRecordKey(std::string_view identifier);

enum class LicenceStatus : uint8_t {
  kValid = 1,
  kSuspended = 2,
  kRevoked = 3,
  kCancelled = 4,
  kExpired = 5,
};
const char* LicenceStatusName(LicenceStatus s);  // "valid", "suspended", ...
std::optional<LicenceStatus> LicenceStatusFromName(std::string_view name);

// Canonical encoding (core/encoding.h), fields in this order:
//   u8  format (= 1)
//   u8  status            (stored status; LicenceStatus value)
//   u64 valid_from_ms     (start of validity, block-time scale)
//   u64 valid_until_ms    (end of validity, exclusive; 0 = no end)
//   u64 updated_height    (block height of the last change)
//   u64 updated_time_ms   (block time of the last change)
//   32  record_hash       (SHA-256 of the bytes at LicenceRecordKey)
//   str replaced_by       (identifier of the next version, "" if none)
//   str reason            (reason given with the last change, "" if none)
struct LicenceStatusValue {
  static constexpr uint8_t kFormat = 1;
  LicenceStatus status = LicenceStatus::kValid;
  uint64_t valid_from_ms = 0;
  uint64_t valid_until_ms = 0;
  uint64_t updated_height = 0;
  uint64_t updated_time_ms = 0;
  Hash record_hash{};
  std::string replaced_by;
  std::string reason;

  Bytes Encode() const;
  static Result<LicenceStatusValue> Decode(ByteView bytes);
  // The status as of `time_ms`: a stored "valid" licence whose validity has
  // ended (valid_until_ms != 0 && time_ms >= valid_until_ms) is "expired".
  LicenceStatus EffectiveAt(uint64_t time_ms) const;
  bool operator==(const LicenceStatusValue&) const = default;
};

// Salted commitment of one personal field:
//   SHA-256( Str("licenced/commit/v1") || Str(field) || Str(value) || Var(salt) )
// with Str/Var = u32 big-endian length + bytes. A holder discloses (field, value,
// salt) and a verifier recomputes this.
Hash FieldCommitment(std::string_view field, std::string_view value, ByteView salt);
inline constexpr size_t kMinSaltBytes = 16;
inline constexpr size_t kMaxSaltBytes = 64;

// ---- Status list positions (docs/credentials.md "Status lists") ----
//
// Every licence of an issuing org has one fixed position in that org's
// Bitstring Status Lists: its rank among the org's licences ordered by
// (issued_height, identifier). A licence issued later is in a later block, so
// it ranks after every licence that existed before it: a position never
// changes once the issuing block committed. Position p is entry
// p % kStatusListLength of list number p / kStatusListLength.
inline constexpr uint64_t kStatusListLength = 131072;  // entries per list (16 KiB of bits)

struct StatusListMember {
  std::string identifier;
  uint64_t issued_height = 0;
  uint64_t position = 0;
  bool operator==(const StatusListMember&) const = default;
};

// The org's licences in position order (every "licence/by-issuer/<org>/"
// entry whose record has an issued_height). Corruption if a listed record is
// missing or malformed.
Result<std::vector<StatusListMember>> StatusListMembers(const StateView& state,
                                                        std::string_view org);

}  // namespace licenced::chaincode
