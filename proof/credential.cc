#include "proof/credential.h"

#include <sodium.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include <fmt/core.h>

#include "chaincode/exec.h"
#include "core/canonical_json.h"

namespace licenced::proof::vc {
namespace {

using json = nlohmann::json;

json Issuer(const GenesisOrg& org, const crypto::PublicKey& key) {
  return {{"id", DidKey(key)}, {"name", org.name}, {"issuerOrg", org.id}};
}

json GenesisEvidence(const Genesis& genesis) {
  return {{"type", json::array({"LedgerEvidence"})},
          {"network", genesis.network_id},
          {"genesisHash", ToHex(genesis.ComputeHash())}};
}

}  // namespace

std::string LicenceContextDigestSri() {
  const Hash h = crypto::Sha256(AsBytes(LicenceContext()));
  return "sha256-" + Base64Encode(ByteView(h.data(), h.size()));
}

// ---- encodings ----

Result<Bytes> Gzip(ByteView data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: deflateInit2 failed");
  }
  Bytes out(deflateBound(&zs, data.size()) + 32);
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t n = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal("gzip: deflate did not finish");
  out.resize(n);
  return out;
}

Result<Bytes> Gunzip(ByteView data, size_t max_out) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + 15) != Z_OK) return Status::Internal("gunzip: inflateInit2 failed");
  Bytes out(max_out + 1);
  zs.next_in = const_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  const size_t n = zs.total_out;
  const bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || trailing || n > max_out) {
    return Status::InvalidArgument("not one gzip stream of at most " + std::to_string(max_out) +
                                   " bytes");
  }
  out.resize(n);
  return out;
}

// ---- status lists ----

const char* StatusPurposeName(StatusPurpose p) {
  return p == StatusPurpose::kRevocation ? "revocation" : "suspension";
}

std::optional<StatusPurpose> StatusPurposeFromName(std::string_view name) {
  if (name == "revocation") return StatusPurpose::kRevocation;
  if (name == "suspension") return StatusPurpose::kSuspension;
  return std::nullopt;
}

bool StatusBit(chaincode::LicenceStatus stored, StatusPurpose purpose) {
  using chaincode::LicenceStatus;
  switch (stored) {
    case LicenceStatus::kValid:
      return false;
    case LicenceStatus::kSuspended:
      return purpose == StatusPurpose::kSuspension;
    case LicenceStatus::kRevoked:
    case LicenceStatus::kCancelled:
    case LicenceStatus::kExpired:
      return purpose == StatusPurpose::kRevocation;
  }
  return true;  // cannot happen: a decoded status is one of the above
}

std::string StatusListUrl(std::string_view base_url, std::string_view org, StatusPurpose purpose,
                          uint64_t list) {
  return fmt::format("{}/credentials/status/{}/{}/{}", base_url, org, StatusPurposeName(purpose),
                     list);
}

Status CheckIssuerKey(const Genesis& genesis, std::string_view org, const crypto::PublicKey& key) {
  const GenesisOrg* o = genesis.FindOrg(org);
  if (o == nullptr)
    return Status::NotFound("no organisation '" + std::string(org) + "' in the genesis");
  if (std::find(o->admin_keys.begin(), o->admin_keys.end(), key) != o->admin_keys.end()) {
    return Status::Ok();
  }
  std::string keys;
  for (const auto& k : o->admin_keys) keys += (keys.empty() ? "" : ", ") + ToHex(k);
  return Status::FailedPrecondition(fmt::format(
      "the issuer key {} is not an admin key of org '{}' in the genesis (its admin keys: {}); "
      "credentials of '{}' are signed with one of those",
      ToHex(key), org, keys, org));
}

Result<json> LicenceCredential(const Genesis& genesis, const LicenceCredentialInput& in,
                               const crypto::KeyPair& issuer_key, uint64_t created_ms) {
  const Bundle& b = in.bundle;
  if ((b.format != kFormatV2 && b.format != kFormatV3) || !b.status) {
    return Status::InvalidArgument("a credential carries a v3 or v2 proof bundle");
  }
  if (in.status_base_url.empty()) return Status::InvalidArgument("no status list base URL");
  const json rec = json::parse(b.record.begin(), b.record.end(), nullptr, false);
  if (rec.is_discarded() || !rec.is_object()) {
    return Status::InvalidArgument("the licence record is not a JSON object");
  }
  auto str = [&](const char* k) {
    return rec.contains(k) && rec[k].is_string() ? rec[k].get<std::string>() : std::string();
  };
  const std::string org_id = str("issuer_org");
  LIC_RETURN_IF_ERROR(CheckIssuerKey(genesis, org_id, issuer_key.public_key()));
  const GenesisOrg& org = *genesis.FindOrg(org_id);
  LIC_ASSIGN_OR_RETURN(const chaincode::LicenceStatusValue st,
                       chaincode::LicenceStatusValue::Decode(b.status->value));
  auto holder = FromHex(str("holder_key"));
  if (!holder.ok() || holder->size() != crypto::kPublicKeySize) {
    return Status::InvalidArgument("the licence record has no 64-hex holder_key");
  }
  crypto::PublicKey holder_key;
  std::copy(holder->begin(), holder->end(), holder_key.begin());

  json subject = {{"id", DidKey(holder_key)},
                  {"identifier", b.licence_id},
                  {"licenceType", str("type_code")},
                  {"licenceName", str("licence_name")},
                  {"number", str("number")},
                  {"jurisdiction", str("jurisdiction")},
                  {"issueDate", str("issue_date")},
                  {"issuedHeight", rec.value("issued_height", uint64_t{0})},
                  {"publicFields", rec.value("public_fields", json::object())},
                  {"commitments", rec.value("commitments", json::object())}};
  if (!str("holder_code").empty()) {
    subject["holderCode"] = str("holder_code");
    subject["holderCodeType"] = str("holder_code_type");
  }
  const uint64_t list = in.position / chaincode::kStatusListLength;
  const uint64_t index = in.position % chaincode::kStatusListLength;
  json status = json::array();
  for (StatusPurpose p : kStatusPurposes) {
    const std::string url = StatusListUrl(in.status_base_url, org_id, p, list);
    status.push_back({{"id", url + "#" + std::to_string(index)},
                      {"type", "BitstringStatusListEntry"},
                      {"statusPurpose", StatusPurposeName(p)},
                      {"statusListIndex", std::to_string(index)},
                      {"statusListCredential", url}});
  }
  json evidence = GenesisEvidence(genesis);
  evidence["bundleFormat"] =
      b.format == kFormatV3 ? kEvidenceBundleFormatV3 : kEvidenceBundleFormat;
  evidence["statusHeight"] = b.status->header.height;
  evidence["blockHash"] = ToHex(b.status->header.ComputeHash());
  evidence["ledgerStatus"] = chaincode::LicenceStatusName(st.status);
  evidence["bundle"] = Base64Encode(b.Encode());

  json cred = {{"@context", json::array({kVcContextV2, kLicenceContextUrl})},
               {"id", "urn:licenced:" + genesis.network_id + ":licence:" + b.licence_id},
               {"type", json::array({"VerifiableCredential", "LicenceCredential"})},
               {"issuer", Issuer(org, issuer_key.public_key())},
               {"validFrom", IsoTime(st.valid_from_ms)},
               {"credentialSubject", std::move(subject)},
               {"credentialStatus", std::move(status)},
               {"evidence", json::array({std::move(evidence)})},
               {"relatedResource", json::array({{{"id", kLicenceContextUrl},
                                                 {"digestSRI", LicenceContextDigestSri()},
                                                 {"mediaType", "application/ld+json"}}})}};
  cred["issuer"]["issuerCode"] = str("issuer_code");
  if (st.valid_until_ms != 0) cred["validUntil"] = IsoTime(st.valid_until_ms);
  return AddProof(std::move(cred), issuer_key, created_ms);
}

Result<json> StatusListCredential(const Genesis& genesis, const StatusListInput& in,
                                  const crypto::KeyPair& issuer_key, uint64_t created_ms) {
  LIC_RETURN_IF_ERROR(CheckIssuerKey(genesis, in.org, issuer_key.public_key()));
  if (in.base_url.empty()) return Status::InvalidArgument("no status list base URL");
  const GenesisOrg& org = *genesis.FindOrg(in.org);
  Bytes bits(chaincode::kStatusListLength / 8, 0);
  const uint64_t first = in.list * chaincode::kStatusListLength;
  for (const auto& [position, stored] : in.entries) {
    if (position < first || position - first >= chaincode::kStatusListLength) {
      return Status::InvalidArgument(
          fmt::format("position {} is not in status list {}", position, in.list));
    }
    if (!StatusBit(stored, in.purpose)) continue;
    const uint64_t i = position - first;
    bits[i / 8] |= static_cast<uint8_t>(0x80u >> (i % 8));
  }
  LIC_ASSIGN_OR_RETURN(const Bytes gz, Gzip(bits));
  const std::string url = StatusListUrl(in.base_url, in.org, in.purpose, in.list);
  json evidence = GenesisEvidence(genesis);
  evidence["statusHeight"] = in.header.height;
  evidence["blockHash"] = ToHex(in.header.ComputeHash());
  json cred = {{"@context", json::array({kVcContextV2, kLicenceContextUrl})},
               {"id", url},
               {"type", json::array({"VerifiableCredential", "BitstringStatusListCredential"})},
               {"issuer", Issuer(org, issuer_key.public_key())},
               {"validFrom", IsoTime(in.header.timestamp_ms)},
               {"validUntil", IsoTime(in.header.timestamp_ms + kStatusListValidityMs)},
               {"credentialSubject",
                {{"id", url + "#list"},
                 {"type", "BitstringStatusList"},
                 {"statusPurpose", StatusPurposeName(in.purpose)},
                 {"encodedList", "u" + Base64UrlEncode(gz)}}},
               {"evidence", json::array({std::move(evidence)})},
               {"relatedResource", json::array({{{"id", kLicenceContextUrl},
                                                 {"digestSRI", LicenceContextDigestSri()},
                                                 {"mediaType", "application/ld+json"}}})}};
  cred["issuer"]["issuerCode"] = chaincode::OrgCreditCode(org);
  return AddProof(std::move(cred), issuer_key, created_ms);
}

Result<Bytes> DecodeStatusList(const json& c) {
  if (!c.is_object() || !c.contains("credentialSubject") || !c["credentialSubject"].is_object() ||
      !c["credentialSubject"].contains("encodedList") ||
      !c["credentialSubject"]["encodedList"].is_string()) {
    return Status::InvalidArgument(
        "not a status list credential (no credentialSubject.encodedList)");
  }
  const std::string enc = c["credentialSubject"]["encodedList"];
  if (enc.empty() || enc[0] != 'u') {
    return Status::InvalidArgument("encodedList is not base64url multibase ('u...')");
  }
  LIC_ASSIGN_OR_RETURN(const Bytes gz, Base64UrlDecode(std::string_view(enc).substr(1)));
  LIC_ASSIGN_OR_RETURN(Bytes bits, Gunzip(gz, chaincode::kStatusListLength / 8));
  if (bits.size() != chaincode::kStatusListLength / 8) {
    return Status::InvalidArgument("the status list is not " +
                                   std::to_string(chaincode::kStatusListLength) + " bits");
  }
  return bits;
}

bool ListBit(const Bytes& bits, uint64_t index) {
  return index / 8 < bits.size() && (bits[index / 8] & (0x80u >> (index % 8))) != 0;
}

}  // namespace licenced::proof::vc
