#include "proof/verify.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "chaincode/exec.h"  // OrgCreditCode: the issuer code inside licence identifiers
#include "chaincode/identifiers.h"
#include "chaincode/licence_status.h"
#include "consensus/messages.h"
#include "core/crypto.h"
#include "core/merkle.h"
#include "core/transaction.h"

namespace licenced::proof {

Verdict Invalid(Verdict v, Reason reason, std::string detail) {
  v.outcome = Outcome::kInvalid;
  v.reason = reason;
  v.detail = std::move(detail);
  return v;
}
namespace {

using json = nlohmann::json;

Verdict Unknown(Verdict v, Reason r, std::string detail) {
  v.outcome = Outcome::kStatusUnknown;
  v.reason = r;
  v.detail = std::move(detail);
  return v;
}

// The record fields verification relies on; all must be present with these types.
struct RecordView {
  std::string identifier, type_code, issuer_org, issuer_code, holder_key, issuing_tx, issued_by;
  uint64_t issued_height = 0;
  json commitments;
};

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Parses the record and checks the shapes docs/proof-format.md section 2 gives its fields:
// holder_key, issuing_tx, issued_by and every commitments value are 64 lower-case hex digits (the
// chaincode writes nothing else), so a malformed record is BAD_ENCODING before any comparison.
Result<RecordView> ParseRecord(const Bytes& bytes) {
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status::InvalidArgument("record is not a JSON object");
  RecordView r;
  auto str = [&](const char* k, std::string* out) -> Status {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string())
      return Status::InvalidArgument(std::string("record.") + k + " missing or not a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  LIC_RETURN_IF_ERROR(str("identifier", &r.identifier));
  LIC_RETURN_IF_ERROR(str("type_code", &r.type_code));
  LIC_RETURN_IF_ERROR(str("issuer_org", &r.issuer_org));
  LIC_RETURN_IF_ERROR(str("issuer_code", &r.issuer_code));
  LIC_RETURN_IF_ERROR(str("holder_key", &r.holder_key));
  LIC_RETURN_IF_ERROR(str("issuing_tx", &r.issuing_tx));
  LIC_RETURN_IF_ERROR(str("issued_by", &r.issued_by));
  auto h = j.find("issued_height");
  if (h == j.end() || !h->is_number_unsigned())
    return Status::InvalidArgument("record.issued_height missing or not an unsigned integer");
  r.issued_height = h->get<uint64_t>();
  auto c = j.find("commitments");
  if (c == j.end() || !c->is_object())
    return Status::InvalidArgument("record.commitments missing or not an object");
  for (const auto& [field, value] :
       {std::pair<const char*, const std::string*>{"holder_key", &r.holder_key},
        {"issuing_tx", &r.issuing_tx},
        {"issued_by", &r.issued_by}}) {
    if (!IsHex64(*value))
      return Status::InvalidArgument(std::string("record.") + field +
                                     " is not 64 lower-case hex digits");
  }
  for (auto it = c->begin(); it != c->end(); ++it) {
    if (!it->is_string() || !IsHex64(it->get<std::string>()))
      return Status::InvalidArgument("record.commitments." + it.key() +
                                     " is not 64 lower-case hex digits");
  }
  r.commitments = *c;
  return r;
}

}  // namespace

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kValid:
      return "VALID";
    case Outcome::kInvalid:
      return "INVALID";
    case Outcome::kStatusUnknown:
      return "STATUS_UNKNOWN";
  }
  return "INVALID";
}

const char* ReasonName(Reason r) {
  switch (r) {
    case Reason::kNone:
      return "NONE";
    case Reason::kBadEncoding:
      return "BAD_ENCODING";
    case Reason::kWrongNetwork:
      return "WRONG_NETWORK";
    case Reason::kRecordMismatch:
      return "RECORD_MISMATCH";
    case Reason::kIssuerNotEntitled:
      return "ISSUER_NOT_ENTITLED";
    case Reason::kBadIssuerSignature:
      return "BAD_ISSUER_SIGNATURE";
    case Reason::kBadMerklePath:
      return "BAD_MERKLE_PATH";
    case Reason::kBadHeader:
      return "BAD_HEADER";
    case Reason::kBadCertificate:
      return "BAD_CERTIFICATE";
    case Reason::kBadStatusProof:
      return "BAD_STATUS_PROOF";
    case Reason::kStatusMismatch:
      return "STATUS_MISMATCH";
    case Reason::kLicenceSuspended:
      return "LICENCE_SUSPENDED";
    case Reason::kLicenceRevoked:
      return "LICENCE_REVOKED";
    case Reason::kLicenceExpired:
      return "LICENCE_EXPIRED";
    case Reason::kLicenceCancelled:
      return "LICENCE_CANCELLED";
    case Reason::kLicenceNotYetValid:
      return "LICENCE_NOT_YET_VALID";
    case Reason::kBadHolderSignature:
      return "BAD_HOLDER_SIGNATURE";
    case Reason::kChallengeMismatch:
      return "CHALLENGE_MISMATCH";
    case Reason::kDisclosureMismatch:
      return "DISCLOSURE_MISMATCH";
    case Reason::kStatusMissing:
      return "STATUS_MISSING";
    case Reason::kStaleStatus:
      return "STALE_STATUS";
    case Reason::kBadCredentialProof:
      return "BAD_CREDENTIAL_PROOF";
    case Reason::kCredentialMismatch:
      return "CREDENTIAL_MISMATCH";
  }
  return "BAD_ENCODING";
}

std::string Verdict::ToJson() const {
  json j = json::object();
  j["result"] = OutcomeName(outcome);
  j["reason"] = outcome == Outcome::kValid ? "" : ReasonName(reason);
  j["detail"] = detail;
  j["licence_id"] = licence_id;
  j["type"] = type_code;
  j["issuer_org"] = issuer_org;
  j["issuer_kind"] = issuer_kind;
  j["issued_height"] = issued_height;
  j["status"] = status;
  j["height"] = status_height ? json(*status_height) : json(nullptr);
  j["status_time_ms"] = status_time_ms ? json(*status_time_ms) : json(nullptr);
  j["age_ms"] = status_age_ms ? json(*status_age_ms) : json(nullptr);
  json d = json::object();
  for (const auto& [f, val] : disclosed) d[f] = val;
  j["disclosed"] = d;
  j["challenge"] = challenge;
  j["created_at_ms"] = created_at_ms;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);  // inputs are untrusted
}

bool CertificateCache::Contains(const Hash& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  bool found = set_.count(key) != 0;
  ++(found ? hits_ : misses_);
  return found;
}

void CertificateCache::Insert(const Hash& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (capacity_ == 0 || !set_.insert(key).second) return;
  order_.push_back(key);
  while (order_.size() > capacity_) {
    set_.erase(order_.front());
    order_.pop_front();
  }
}

size_t CertificateCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return set_.size();
}
uint64_t CertificateCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}
uint64_t CertificateCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

Verifier::Verifier(Genesis genesis) : genesis_(std::move(genesis)) {
  crypto::Sha256Hasher h;
  h.Update(AsBytes("licenced/proof/certificate-cache/v1"));
  for (const auto& v : genesis_.validators) {
    validators_.keys.push_back(v.public_key);
    h.Update(v.public_key);
  }
  validators_digest_ = h.Final();
}

Verdict Verifier::VerifyEncoded(ByteView presentation, const VerifyOptions& opts) const {
  auto p = Presentation::Decode(presentation);
  if (!p.ok()) return Invalid(Verdict{}, Reason::kBadEncoding, p.status().message());
  // Decoding is canonical (Encode(Decode(x)) == x), so the signed body is the
  // input without its signature: no need to encode the bundle again.
  return Check(p->bundle, &*p,
               presentation.subspan(0, presentation.size() - crypto::kSignatureSize), opts);
}

Verdict Verifier::VerifyBundleEncoded(ByteView bundle, const VerifyOptions& opts) const {
  auto b = Bundle::Decode(bundle);
  if (!b.ok()) return Invalid(Verdict{}, Reason::kBadEncoding, b.status().message());
  return VerifyBundle(*b, opts);
}

Verdict Verifier::Verify(const Presentation& p, const VerifyOptions& opts) const {
  Bytes body = p.SigningBody();
  return Check(p.bundle, &p, body, opts);
}

Verdict Verifier::VerifyBundle(const Bundle& b, const VerifyOptions& opts) const {
  return Check(b, nullptr, {}, opts);
}

// Certificate for exactly this header, signed by a quorum of genesis validators.
std::optional<Verdict> Verifier::CheckCertified(const Verdict& v,
                                                const consensus::BlockHeader& header,
                                                const consensus::CommitCertificate& cert,
                                                const VerifyOptions& opts,
                                                const char* which) const {
  const Bytes header_bytes = header.Encode();
  if (cert.height != header.height || cert.block_hash != crypto::Sha256(header_bytes)) {
    return Invalid(v, Reason::kBadHeader,
                   std::string(which) + ": the commit certificate is for height " +
                       std::to_string(cert.height) + " block " + ToHex(cert.block_hash) +
                       ", not for this header (height " + std::to_string(header.height) + ")");
  }
  Hash key{};
  if (opts.cache != nullptr) {
    key = crypto::Sha256Hasher()
              .Update(validators_digest_)
              .Update(header_bytes)
              .Update(cert.Encode())
              .Final();
    if (opts.cache->Contains(key)) return std::nullopt;
  }
  Status s = cert.Verify(validators_);
  if (!s.ok()) return Invalid(v, Reason::kBadCertificate, std::string(which) + ": " + s.message());
  if (opts.cache != nullptr) opts.cache->Insert(key);
  return std::nullopt;
}

// State votes of a quorum of distinct genesis validators on (H, H(header), root).
std::optional<Verdict> Verifier::CheckStateCertified(const Verdict& v,
                                                     const consensus::BlockHeader& header,
                                                     const StateVotes& votes,
                                                     const VerifyOptions& opts,
                                                     const char* which) const {
  const Bytes header_bytes = header.Encode();
  consensus::CheckpointMsg vote;
  vote.height = header.height;
  vote.block_hash = crypto::Sha256(header_bytes);
  vote.state_root = votes.state_root;
  const Bytes body = vote.Encode();
  Hash key{};
  if (opts.cache != nullptr) {
    crypto::Sha256Hasher h;
    h.Update(validators_digest_).Update(AsBytes("state-certificate")).Update(body);
    for (const auto& [id, sig] : votes.signatures) {
      uint8_t be[4] = {static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
                       static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
      h.Update(ByteView(be, 4)).Update(sig);
    }
    key = h.Final();
    if (opts.cache->Contains(key)) return std::nullopt;
  }
  const std::string what = std::string(which) + ": state certificate: ";
  const std::string_view tag = consensus::TagFor(consensus::MsgType::kCheckpoint);
  for (size_t i = 0; i < votes.signatures.size(); ++i) {
    const auto& [id, sig] = votes.signatures[i];
    if (i > 0 && id <= votes.signatures[i - 1].first) {
      return Invalid(v, Reason::kBadCertificate,
                     what + "signer " + std::to_string(id) + " duplicated or out of order");
    }
    if (id >= validators_.keys.size()) {
      return Invalid(v, Reason::kBadCertificate,
                     what + "signer " + std::to_string(id) + " is not a genesis validator");
    }
    if (!crypto::Verify(validators_.keys[id], tag, body, sig)) {
      return Invalid(v, Reason::kBadCertificate,
                     what + "the vote of validator " + std::to_string(id) + " does not verify");
    }
  }
  if (votes.signatures.size() < validators_.quorum()) {
    return Invalid(v, Reason::kBadCertificate,
                   what + std::to_string(votes.signatures.size()) + " signers, " +
                       std::to_string(validators_.quorum()) + " needed");
  }
  if (opts.cache != nullptr) opts.cache->Insert(key);
  return std::nullopt;
}

Verdict Verifier::Check(const Bundle& b, const Presentation* p, ByteView signing_body,
                        const VerifyOptions& opts) const {
  Verdict v;
  v.licence_id = b.licence_id;
  if (p != nullptr) {
    v.challenge = p->challenge;
    v.created_at_ms = p->created_at_ms;
  }
  // v2 and v3 authenticate the record by its status entry alone.
  const bool v2 = b.format == kFormatV2 || b.format == kFormatV3;
  if (!v2 && b.format != kFormatV1) {
    return Invalid(v, Reason::kBadEncoding, "unknown bundle format " + std::to_string(b.format));
  }
  if (p != nullptr && p->format() != b.format) {
    return Invalid(v, Reason::kBadEncoding, "the presentation and its bundle differ in format");
  }

  // 1. The record.
  auto rec_or = ParseRecord(b.record);
  if (!rec_or.ok()) return Invalid(v, Reason::kBadEncoding, rec_or.status().message());
  const RecordView& rec = *rec_or;
  if (rec.identifier != b.licence_id) {
    return Invalid(v, Reason::kRecordMismatch,
                   "record is for licence " + rec.identifier + ", not " + b.licence_id);
  }
  v.type_code = rec.type_code;
  v.issuer_org = rec.issuer_org;
  v.issued_height = rec.issued_height;
  auto parts = chaincode::ParseLicenceIdentifier(b.licence_id);
  if (!parts.ok()) return Invalid(v, Reason::kBadEncoding, parts.status().message());
  if (parts->type_code != rec.type_code || parts->issuer_code != rec.issuer_code) {
    return Invalid(v, Reason::kRecordMismatch,
                   "licence identifier's type/issuer code differ from the record's");
  }

  // 2. Entitlement (genesis licence_types).
  const GenesisLicenceType* type = genesis_.FindLicenceType(rec.type_code);
  if (type == nullptr) {
    return Invalid(v, Reason::kIssuerNotEntitled,
                   "licence type '" + rec.type_code + "' is not in the genesis");
  }
  const GenesisOrg* org = genesis_.FindOrg(rec.issuer_org);
  if (org == nullptr || std::find(type->issuer_orgs.begin(), type->issuer_orgs.end(),
                                  rec.issuer_org) == type->issuer_orgs.end()) {
    return Invalid(v, Reason::kIssuerNotEntitled,
                   "org '" + rec.issuer_org + "' may not issue licence type '" + rec.type_code +
                       "' (genesis licence_types.issuer_orgs)");
  }
  if (chaincode::OrgCreditCode(*org) != rec.issuer_code) {
    return Invalid(v, Reason::kIssuerNotEntitled,
                   "issuer code " + rec.issuer_code + " is not org '" + org->id + "''s code");
  }

  // Status evidence: header after issuance, certified, proving the status
  // value whose record_hash is this record's hash.
  // An org admin key may only issue for its own org; any other signer is a
  // clerk (its role was checked by the chaincode).
  auto check_issuer_kind = [&](const crypto::PublicKey& issuer) -> std::optional<Verdict> {
    if (const GenesisOrg* admin_org = genesis_.OrgOfAdmin(issuer)) {
      if (admin_org->id != org->id) {
        return Invalid(
            v, Reason::kIssuerNotEntitled,
            "issued by an admin key of org '" + admin_org->id + "', not of '" + org->id + "'");
      }
      v.issuer_kind = "org_admin";
    } else {
      v.issuer_kind = "clerk";
    }
    return std::nullopt;
  };
  auto check_evidence = [&](const StatusEvidence& s, const char* which,
                            chaincode::LicenceStatusValue* out) -> std::optional<Verdict> {
    // Under a state certificate the state after block H itself is proven, so
    // H may be the issuing block; a header's state_root is of an earlier state.
    const uint64_t first = s.state ? rec.issued_height : rec.issued_height + 1;
    if (s.header.height < first) {
      return Invalid(v, Reason::kStatusMismatch,
                     "status proof at height " + std::to_string(s.header.height) +
                         " predates the state after issuance (needs >= " + std::to_string(first) +
                         ")");
    }
    if (s.state) {
      if (auto bad = CheckStateCertified(v, s.header, *s.state, opts, which)) return bad;
    } else {
      if (auto bad = CheckCertified(v, s.header, s.certificate, opts, which)) return bad;
    }
    const Hash& root = s.state ? s.state->state_root : s.header.state_root;
    Status sp =
        state::VerifyStateProof(root, chaincode::LicenceStatusKey(b.licence_id), s.value, s.proof);
    if (!sp.ok()) return Invalid(v, Reason::kBadStatusProof, sp.message());
    auto st = chaincode::LicenceStatusValue::Decode(s.value);
    if (!st.ok()) return Invalid(v, Reason::kBadEncoding, st.status().message());
    if (st->record_hash != crypto::Sha256(b.record)) {
      return Invalid(v, Reason::kStatusMismatch,
                     "the ledger's status entry is for a different record (record_hash)");
    }
    *out = std::move(*st);
    return std::nullopt;
  };
  chaincode::LicenceStatusValue bundle_status;

  if (!v2) {
    // 3. The issuing transaction and its signature.
    const TxInclusion& t = b.issuance;
    auto tx = Transaction::Decode(t.tx);
    if (!tx.ok()) return Invalid(v, Reason::kBadEncoding, "issuing tx: " + tx.status().message());
    if (tx->network_id != genesis_.network_id) {
      return Invalid(v, Reason::kWrongNetwork,
                     "issuing tx is for network '" + tx->network_id + "', the genesis is '" +
                         genesis_.network_id + "'");
    }
    if (ToHex(tx->Id()) != rec.issuing_tx) {
      return Invalid(v, Reason::kRecordMismatch,
                     "issuing tx id " + ToHex(tx->Id()) + " is not the record's " + rec.issuing_tx);
    }
    if (ToHex(tx->submitter) != rec.issued_by) {
      return Invalid(v, Reason::kRecordMismatch,
                     "issuing tx submitter is not the record's issued_by");
    }
    if (!tx->VerifySignature()) {
      return Invalid(v, Reason::kBadIssuerSignature,
                     "the issuing clerk's signature does not verify");
    }
    if (auto bad = check_issuer_kind(tx->submitter)) return *bad;

    // 4. Inclusion in the issuance block.
    if (t.header.height != rec.issued_height) {
      return Invalid(v, Reason::kRecordMismatch,
                     "issuance header is height " + std::to_string(t.header.height) +
                         ", the record says " + std::to_string(rec.issued_height));
    }
    Hash leaf = merkle::LeafHash(t.tx);
    Status inc = merkle::VerifyInclusion(leaf, t.index, t.tree_size, t.path, t.header.tx_root);
    if (!inc.ok()) return Invalid(v, Reason::kBadMerklePath, "issuing tx: " + inc.message());
    if (CanonicalTreeSize(t.index, t.tree_size, t.path.size()) != t.tree_size) {
      return Invalid(v, Reason::kBadMerklePath,
                     "tree_size is not the canonical (smallest) size for this audit path");
    }
    if (auto bad = CheckCertified(v, t.header, t.certificate, opts, "issuance block")) {
      return *bad;
    }
  } else {
    // 3-4 (v2). The record is authenticated by its status entry at one
    // certified header; the issuing signature and the entitlement were checked
    // by the chaincode when it wrote that entry (docs/proof-format.md §7).
    auto by = FromHex(rec.issued_by);
    if (!by.ok() || by->size() != crypto::kPublicKeySize) {
      return Invalid(v, Reason::kBadEncoding, "record.issued_by is not a 32-byte hex key");
    }
    crypto::PublicKey issuer_key;
    std::copy(by->begin(), by->end(), issuer_key.begin());
    if (auto bad = check_issuer_kind(issuer_key)) return *bad;
    if (!b.status) {
      return Invalid(v, Reason::kBadEncoding,
                     "a v2 or v3 bundle needs its status evidence (it authenticates the record)");
    }
    // The wire forms cannot mix the two kinds of certificate; in memory they could.
    if (b.status->state.has_value() != (b.format == kFormatV3)) {
      return Invalid(v, Reason::kBadEncoding,
                     b.format == kFormatV3 ? "a v3 bundle's status needs its state certificate"
                                           : "a v2 bundle's status is under a commit certificate");
    }
    if (auto bad = check_evidence(*b.status, "status block", &bundle_status)) return *bad;
  }

  // 5. Holder, challenge, disclosures.
  if (p != nullptr) {
    if (p->challenge != opts.challenge) {
      return Invalid(v, Reason::kChallengeMismatch,
                     "the presentation answers challenge '" + p->challenge + "', not '" +
                         opts.challenge + "'");
    }
    auto holder = FromHex(rec.holder_key);
    if (!holder.ok() || holder->size() != crypto::kPublicKeySize) {
      return Invalid(v, Reason::kBadEncoding, "record.holder_key is not a 32-byte hex key");
    }
    crypto::PublicKey hk;
    std::copy(holder->begin(), holder->end(), hk.begin());
    if (!crypto::Verify(hk, p->SigningTag(), signing_body, p->signature)) {
      return Invalid(v, Reason::kBadHolderSignature,
                     "the presentation is not signed by the licence holder's key");
    }
    for (const Disclosure& d : p->disclosures) {
      auto c = rec.commitments.find(d.field);
      if (c == rec.commitments.end() || !c->is_string()) {
        return Invalid(v, Reason::kDisclosureMismatch,
                       "field '" + d.field + "' has no commitment in the record");
      }
      if (ToHex(chaincode::FieldCommitment(d.field, d.value, d.salt)) != c->get<std::string>()) {
        return Invalid(
            v, Reason::kDisclosureMismatch,
            "disclosed value or salt of '" + d.field + "' does not match its commitment");
      }
      v.disclosed.emplace_back(d.field, d.value);
    }
  }

  // 6. Status at a certified height: the verifier's fresh evidence if given,
  // else the bundle's (for v2 already checked above).
  const StatusEvidence* evidence =
      opts.fresh_status ? &*opts.fresh_status : (b.status ? &*b.status : nullptr);
  if (evidence == nullptr) {
    return Unknown(v, Reason::kStatusMissing,
                   "the bundle carries no status proof; fetch a fresh one (verify --node)");
  }
  const StatusEvidence& s = *evidence;
  v.status_height = s.header.height;
  v.status_time_ms = s.header.timestamp_ms;
  v.status_age_ms = opts.now_ms > s.header.timestamp_ms ? opts.now_ms - s.header.timestamp_ms : 0;
  chaincode::LicenceStatusValue fresh_status;
  const chaincode::LicenceStatusValue* st = &bundle_status;
  if (!v2 || opts.fresh_status) {
    if (auto bad = check_evidence(s, "status block", &fresh_status)) return *bad;
    st = &fresh_status;
  }
  chaincode::LicenceStatus eff = st->EffectiveAt(opts.now_ms);
  v.status = chaincode::LicenceStatusName(eff);
  std::string why = st->reason.empty() ? "" : " (" + st->reason + ")";
  std::string at = " as of block " + std::to_string(s.header.height);
  if (s.state) at += " (the state after it, under its state certificate)";
  switch (eff) {
    case chaincode::LicenceStatus::kSuspended:
      return Invalid(v, Reason::kLicenceSuspended, "licence is suspended" + why + at);
    case chaincode::LicenceStatus::kRevoked:
      return Invalid(v, Reason::kLicenceRevoked, "licence is revoked" + why + at);
    case chaincode::LicenceStatus::kCancelled:
      return Invalid(v, Reason::kLicenceCancelled,
                     "licence is cancelled" + why +
                         (st->replaced_by.empty() ? "" : "; replaced by " + st->replaced_by) + at);
    case chaincode::LicenceStatus::kExpired:
      return Invalid(v, Reason::kLicenceExpired, "licence validity ended");
    case chaincode::LicenceStatus::kValid:
      break;
  }
  if (opts.now_ms < st->valid_from_ms) {
    return Invalid(v, Reason::kLicenceNotYetValid, "licence validity has not started yet");
  }
  if (opts.max_age_ms && *v.status_age_ms > *opts.max_age_ms) {
    return Unknown(v, Reason::kStaleStatus,
                   "status proof is " + std::to_string(*v.status_age_ms / 1000) +
                       " s old, more than the allowed " + std::to_string(*opts.max_age_ms / 1000) +
                       " s; fetch a fresh one (verify --node)");
  }
  v.outcome = Outcome::kValid;
  v.reason = Reason::kNone;
  v.detail = "valid" + at;
  return v;
}

}  // namespace licenced::proof
