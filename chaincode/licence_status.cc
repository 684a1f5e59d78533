#include "chaincode/licence_status.h"

#include <algorithm>

#include <nlohmann/json.hpp>

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

Result<std::vector<StatusListMember>> StatusListMembers(const StateView& state,
                                                        std::string_view org) {
  const std::string prefix = "licence/by-issuer/" + std::string(org) + "/";
  std::vector<StatusListMember> out;
  for (const auto& [key, unused] : state.Scan(prefix, SIZE_MAX)) {
    StatusListMember m;
    m.identifier = key.substr(prefix.size());
    const auto rec = state.Get(LicenceRecordKey(m.identifier));
    if (!rec) return Status::Corruption("licence " + m.identifier + " is listed but has no record");
    const auto j = nlohmann::json::parse(rec->begin(), rec->end(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("issued_height") ||
        !j["issued_height"].is_number_unsigned()) {
      return Status::Corruption("licence record " + m.identifier + " has no issued_height");
    }
    m.issued_height = j["issued_height"].get<uint64_t>();
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const StatusListMember& a, const StatusListMember& b) {
    return a.issued_height != b.issued_height ? a.issued_height < b.issued_height
                                              : a.identifier < b.identifier;
  });
  for (size_t i = 0; i < out.size(); ++i) out[i].position = i;
  return out;
}

}  // namespace licenced::chaincode
