#include "chaincode/licence_status.h"

#include "core/crypto.h"
#include "core/encoding.h"

namespace licenced::chaincode {

std::string LicenceStatusKey(std::string_view identifier) {
  return "licence/status/" + std::string(identifier);
}
std::string LicenceRecordKey(std::string_view identifier) {
  return "licence/record/" + std::string(identifier);
}

const char* LicenceStatusName(LicenceStatus s) {
  switch (s) {
    case LicenceStatus::kValid:
      return "valid";
    case LicenceStatus::kSuspended:
      return "suspended";
    case LicenceStatus::kRevoked:
      return "revoked";
    case LicenceStatus::kCancelled:
      return "cancelled";
    case LicenceStatus::kExpired:
      return "expired";
  }
  return "unknown";
}

std::optional<LicenceStatus> LicenceStatusFromName(std::string_view name) {
  for (auto s : {LicenceStatus::kValid, LicenceStatus::kSuspended, LicenceStatus::kRevoked,
                 LicenceStatus::kCancelled, LicenceStatus::kExpired}) {
    if (name == LicenceStatusName(s)) return s;
  }
  return std::nullopt;
}

Bytes LicenceStatusValue::Encode() const {
  Writer w;
  w.U8(kFormat)
      .U8(static_cast<uint8_t>(status))
      .U64(valid_from_ms)
      .U64(valid_until_ms)
      .U64(updated_height)
      .U64(updated_time_ms)
      .Raw(record_hash)
      .Str(replaced_by)
      .Str(reason);
  return w.Take();
}

Result<LicenceStatusValue> LicenceStatusValue::Decode(ByteView bytes) {
  Reader r(bytes);
  LicenceStatusValue v;
  uint8_t format = r.U8();
  uint8_t status = r.U8();
  v.valid_from_ms = r.U64();
  v.valid_until_ms = r.U64();
  v.updated_height = r.U64();
  v.updated_time_ms = r.U64();
  v.record_hash = r.Fixed<32>();
  v.replaced_by = r.Str();
  v.reason = r.Str();
  LIC_RETURN_IF_ERROR(r.Finish("licence status value"));
  if (format != kFormat) {
    return Status::InvalidArgument("licence status value: unknown format " +
                                   std::to_string(format));
  }
  if (status < 1 || status > 5) {
    return Status::InvalidArgument("licence status value: unknown status " +
                                   std::to_string(status));
  }
  v.status = static_cast<LicenceStatus>(status);
  return v;
}

LicenceStatus LicenceStatusValue::EffectiveAt(uint64_t time_ms) const {
  if (status == LicenceStatus::kValid && valid_until_ms != 0 && time_ms >= valid_until_ms) {
    return LicenceStatus::kExpired;
  }
  return status;
}

Hash FieldCommitment(std::string_view field, std::string_view value, ByteView salt) {
  Writer w;
  w.Str("licenced/commit/v1").Str(field).Str(value).Var(salt);
  return crypto::Sha256(w.bytes());
}

}  // namespace licenced::chaincode
