// VerifyLicenceCredential (proof/credential.h): a licence credential checked
// against the genesis, with its ledger evidence.
#include <algorithm>
#include <cstdlib>
#include <map>

#include <fmt/core.h>

#include "proof/credential.h"

namespace licenced::proof::vc {
namespace {

using json = nlohmann::json;

std::string Str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// The LedgerEvidence entry of a credential, or nullptr.
const json* LedgerEvidence(const json& c) {
  if (!c.contains("evidence") || !c["evidence"].is_array()) return nullptr;
  for (const json& e : c["evidence"]) {
    if (e.is_object() && e.contains("type") && e["type"].is_array() &&
        std::find(e["type"].begin(), e["type"].end(), "LedgerEvidence") != e["type"].end()) {
      return &e;
    }
  }
  return nullptr;
}

// The checks both kinds of credential share: shape, issuer, proof, context, network.
std::optional<Verdict> CheckSigned(const Genesis& genesis, const json& c, const Verdict& v,
                                   const char* what, crypto::PublicKey* issuer_key) {
  if (!c.is_object() || !c.contains("issuer") || !c["issuer"].is_object()) {
    return Invalid(v, Reason::kBadEncoding,
                   std::string(what) + ": not a credential with an issuer");
  }
  auto key = PublicKeyFromDidKey(Str(c["issuer"], "id"));
  if (!key.ok())
    return Invalid(v, Reason::kBadEncoding,
                   std::string(what) + ": issuer.id: " + key.status().message());
  const std::string org = Str(c["issuer"], "issuerOrg");
  Status owned = CheckIssuerKey(genesis, org, *key);
  if (!owned.ok())
    return Invalid(v, Reason::kIssuerNotEntitled, std::string(what) + ": " + owned.message());
  Status proof = VerifyProof(c, *key);
  if (!proof.ok())
    return Invalid(v, Reason::kBadCredentialProof, std::string(what) + ": " + proof.message());
  if (c.value("@context", json()) != json::array({kVcContextV2, kLicenceContextUrl})) {
    return Invalid(v, Reason::kBadEncoding,
                   std::string(what) + ": @context is not [VC 2.0, licence v1]");
  }
  bool pinned = false;
  for (const json& r : c.value("relatedResource", json::array())) {
    if (Str(r, "id") == kLicenceContextUrl && Str(r, "digestSRI") == LicenceContextDigestSri()) {
      pinned = true;
    }
  }
  if (!pinned) {
    return Invalid(v, Reason::kBadEncoding,
                   std::string(what) + ": the licence context is not pinned by its digest");
  }
  const json* ev = LedgerEvidence(c);
  if (ev == nullptr)
    return Invalid(v, Reason::kBadEncoding, std::string(what) + ": no LedgerEvidence");
  if (Str(*ev, "network") != genesis.network_id ||
      Str(*ev, "genesisHash") != ToHex(genesis.ComputeHash())) {
    return Invalid(v, Reason::kWrongNetwork,
                   std::string(what) + ": the evidence is of network '" + Str(*ev, "network") +
                       "', not of this genesis (" + genesis.network_id + ")");
  }
  *issuer_key = *key;
  return std::nullopt;
}

}  // namespace

Verdict VerifyLicenceCredential(const Genesis& genesis, const json& c,
                                const CredentialVerifyOptions& opts) {
  Verdict v;
  crypto::PublicKey issuer{};
  if (auto bad = CheckSigned(genesis, c, v, "credential", &issuer)) return *bad;
  const json& ev = *LedgerEvidence(c);
  const std::string format = Str(ev, "bundleFormat");
  if (format != kEvidenceBundleFormat && format != kEvidenceBundleFormatV3) {
    return Invalid(v, Reason::kBadEncoding,
                   "the evidence is not a " + std::string(kEvidenceBundleFormatV3) + " or " +
                       std::string(kEvidenceBundleFormat) + " bundle");
  }
  auto raw = Base64Decode(Str(ev, "bundle"));
  if (!raw.ok())
    return Invalid(v, Reason::kBadEncoding, "evidence.bundle: " + raw.status().message());
  auto bundle = Bundle::Decode(*raw);
  if (!bundle.ok())
    return Invalid(v, Reason::kBadEncoding, "evidence.bundle: " + bundle.status().message());
  if (bundle->format != (format == kEvidenceBundleFormatV3 ? kFormatV3 : kFormatV2))
    return Invalid(v, Reason::kBadEncoding, "evidence.bundle is not of its bundleFormat");

  // The ledger's own word, status at the evidence's block (freshness judged below).
  VerifyOptions vo;
  vo.now_ms = opts.now_ms;
  Verdict b = Verifier(genesis).VerifyBundle(*bundle, vo);
  const bool status_reason =
      b.reason == Reason::kLicenceSuspended || b.reason == Reason::kLicenceRevoked ||
      b.reason == Reason::kLicenceCancelled || b.reason == Reason::kLicenceExpired ||
      b.reason == Reason::kLicenceNotYetValid;
  if (!b.valid() && !status_reason) {
    b.detail = "ledger evidence: " + b.detail;
    return b;
  }
  v = b;

  // The credential says what the record and status value say.
  const json rec = json::parse(bundle->record.begin(), bundle->record.end(), nullptr, false);
  auto st = chaincode::LicenceStatusValue::Decode(bundle->status->value);
  if (rec.is_discarded() || !st.ok())
    return Invalid(v, Reason::kBadEncoding, "evidence record or status");
  const json& subject = c.value("credentialSubject", json::object());
  auto holder = FromHex(Str(rec, "holder_key"));
  crypto::PublicKey hk{};
  if (holder.ok() && holder->size() == hk.size())
    std::copy(holder->begin(), holder->end(), hk.begin());
  std::vector<std::string> mismatched;
  auto expect = [&](bool same, const char* field) {
    if (!same) mismatched.emplace_back(field);
  };
  expect(Str(c["issuer"], "issuerOrg") == Str(rec, "issuer_org"), "issuer.issuerOrg");
  expect(Str(subject, "identifier") == bundle->licence_id, "credentialSubject.identifier");
  expect(Str(subject, "id") == DidKey(hk), "credentialSubject.id (holder)");
  expect(Str(subject, "licenceType") == Str(rec, "type_code"), "credentialSubject.licenceType");
  expect(Str(subject, "licenceName") == Str(rec, "licence_name"), "credentialSubject.licenceName");
  expect(Str(subject, "number") == Str(rec, "number"), "credentialSubject.number");
  expect(Str(subject, "jurisdiction") == Str(rec, "jurisdiction"),
         "credentialSubject.jurisdiction");
  expect(Str(subject, "issueDate") == Str(rec, "issue_date"), "credentialSubject.issueDate");
  expect(subject.value("issuedHeight", json()) == rec.value("issued_height", json()),
         "credentialSubject.issuedHeight");
  expect(Str(subject, "holderCode") == Str(rec, "holder_code") &&
             (Str(rec, "holder_code").empty() ||
              Str(subject, "holderCodeType") == Str(rec, "holder_code_type")),
         "credentialSubject.holderCode");
  expect(Str(c, "id") == "urn:licenced:" + genesis.network_id + ":licence:" + bundle->licence_id,
         "id");
  expect(Str(c["issuer"], "issuerCode") == Str(rec, "issuer_code"), "issuer.issuerCode");
  expect(subject.value("commitments", json()) == rec.value("commitments", json()),
         "credentialSubject.commitments");
  expect(subject.value("publicFields", json()) == rec.value("public_fields", json::object()),
         "credentialSubject.publicFields");
  expect(Str(c, "validFrom") == IsoTime(st->valid_from_ms), "validFrom");
  expect(st->valid_until_ms == 0 ? !c.contains("validUntil")
                                 : Str(c, "validUntil") == IsoTime(st->valid_until_ms),
         "validUntil");
  std::map<StatusPurpose, std::string> lists;  // purpose -> list URL
  for (const json& e : c.value("credentialStatus", json::array())) {
    auto p = StatusPurposeFromName(Str(e, "statusPurpose"));
    const std::string url = Str(e, "statusListCredential");
    if (!p || url.find("/credentials/status/" + Str(rec, "issuer_org") + "/" +
                       StatusPurposeName(*p) + "/") == std::string::npos) {
      mismatched.emplace_back("credentialStatus");
      continue;
    }
    lists[*p] = url;
  }
  expect(lists.size() == 2, "credentialStatus (one revocation and one suspension entry)");
  if (!mismatched.empty()) {
    std::string fields;
    for (const auto& f : mismatched) fields += (fields.empty() ? "" : ", ") + f;
    return Invalid(v, Reason::kCredentialMismatch,
                   "the credential differs from the ledger record it carries: " + fields);
  }
  if (!b.valid()) {
    b.detail = "ledger evidence: " + b.detail;
    return b;
  }

  // Status lists the verifier holds: each signed by this issuer, for this purpose, current.
  uint64_t freshest_ms = bundle->status->header.timestamp_ms;
  for (const json& l : opts.status_lists) {
    const std::string id = Str(l, "id");
    std::optional<StatusPurpose> purpose;
    for (const auto& [p, url] : lists) {
      if (url == id) purpose = p;
    }
    if (!purpose) continue;  // another credential's list
    crypto::PublicKey list_key{};
    if (auto bad = CheckSigned(genesis, l, v, "status list", &list_key)) return *bad;
    if (list_key != issuer) {
      return Invalid(v, Reason::kIssuerNotEntitled,
                     "status list " + id + " is signed by another key than the credential");
    }
    const json& ls = l.value("credentialSubject", json::object());
    if (Str(ls, "statusPurpose") != StatusPurposeName(*purpose) ||
        Str(ls, "type") != "BitstringStatusList") {
      return Invalid(v, Reason::kBadEncoding,
                     "status list " + id + " is not a " + StatusPurposeName(*purpose) + " list");
    }
    auto until = ParseIsoTime(Str(l, "validUntil"));
    auto from = ParseIsoTime(Str(l, "validFrom"));
    if (!until.ok() || !from.ok())
      return Invalid(v, Reason::kBadEncoding, "status list " + id + ": validity");
    if (opts.now_ms >= *until) {
      v.outcome = Outcome::kStatusUnknown;
      v.reason = Reason::kStaleStatus;
      v.detail =
          "status list " + id + " expired at " + Str(l, "validUntil") + "; fetch a fresh one";
      return v;
    }
    auto bits = DecodeStatusList(l);
    if (!bits.ok())
      return Invalid(v, Reason::kBadEncoding, "status list " + id + ": " + bits.status().message());
    uint64_t index = 0;
    for (const json& e : c["credentialStatus"]) {
      if (Str(e, "statusListCredential") == id)
        index = std::strtoull(Str(e, "statusListIndex").c_str(), nullptr, 10);
    }
    if (ListBit(*bits, index)) {
      const bool revoked = *purpose == StatusPurpose::kRevocation;
      v.status = revoked ? "revoked" : "suspended";
      return Invalid(v, revoked ? Reason::kLicenceRevoked : Reason::kLicenceSuspended,
                     fmt::format("the issuer's {} list {} has entry {} set",
                                 StatusPurposeName(*purpose), id, index));
    }
    freshest_ms = std::max(freshest_ms, *from);
  }
  const uint64_t age = opts.now_ms > freshest_ms ? opts.now_ms - freshest_ms : 0;
  if (opts.max_age_ms && age > *opts.max_age_ms) {
    v.outcome = Outcome::kStatusUnknown;
    v.reason = Reason::kStaleStatus;
    v.detail = fmt::format(
        "the freshest status ({}) is {} s old, more than the allowed {} s; give a "
        "current status list",
        IsoTime(freshest_ms), age / 1000, *opts.max_age_ms / 1000);
    return v;
  }
  v.detail = "valid: credential proof by " + Str(c["issuer"], "issuerOrg") +
             "'s genesis admin key, ledger evidence at block " +
             std::to_string(bundle->status->header.height) +
             (opts.status_lists.empty() ? "" : ", status lists checked");
  return v;
}

}  // namespace licenced::proof::vc
