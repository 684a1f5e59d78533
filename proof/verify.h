// Offline verification of presentations and bundles against a genesis file
// alone (docs/proof-format.md "Verification"). Three-way result: VALID,
// INVALID with a reason code, or STATUS_UNKNOWN (never VALID when the status
// could not be checked).
//
// Verifier is immutable after construction and thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "consensus/block.h"
#include "core/genesis.h"
#include "proof/bundle.h"

namespace licenced::proof {

enum class Outcome { kValid, kInvalid, kStatusUnknown };
const char* OutcomeName(Outcome o);  // "VALID", "INVALID", "STATUS_UNKNOWN"

enum class Reason {
  kNone,                // VALID
  kBadEncoding,         // does not decode, or not canonical
  kWrongNetwork,        // issuing tx is for another network_id
  kRecordMismatch,      // record does not match the licence id / issuing tx / header
  kIssuerNotEntitled,   // genesis licence_types does not let the issuer org issue it
  kBadIssuerSignature,  // issuing tx signature invalid
  kBadMerklePath,       // tx not in the header's tx_root (or non-canonical tree size)
  kBadHeader,           // certificate is not for this header
  kBadCertificate,      // no quorum of distinct genesis validators, or a bad signature
  kBadStatusProof,      // state proof does not match the header's state_root
  kStatusMismatch,      // status value is not for this record, or older than issuance
  kLicenceSuspended,
  kLicenceRevoked,
  kLicenceExpired,
  kLicenceCancelled,
  kLicenceNotYetValid,
  kBadHolderSignature,
  kChallengeMismatch,
  kDisclosureMismatch,  // disclosed field absent from the record or wrong value/salt
  kStatusMissing,       // STATUS_UNKNOWN: the bundle has no status proof
  kStaleStatus,         // STATUS_UNKNOWN: status proof older than max_age
  // Verifiable Credentials only (proof/credential.h, docs/credentials.md):
  kBadCredentialProof,  // the credential's or a status list's Data Integrity proof fails
  kCredentialMismatch,  // the credential says other than the ledger record it carries
};
const char* ReasonName(Reason r);  // "BAD_ENCODING", ...

// Verifier-side cache of certificates already checked: a bank verifying many
// presentations sees the same few certified headers again and again. An entry
// is SHA-256 over the verifier's validator set, the exact header and the exact
// certificate encoding, so a cached entry never vouches for different bytes
// (a changed signature or header misses the cache and is checked in full).
// Bounded: the oldest entry goes when `capacity` is reached. Thread-safe.
class CertificateCache {
 public:
  explicit CertificateCache(size_t capacity = 4096) : capacity_(capacity) {}
  bool Contains(const Hash& key) const;
  void Insert(const Hash& key);
  size_t size() const;
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct HashOf {
    size_t operator()(const Hash& h) const {
      size_t v = 0;
      for (size_t i = 0; i < sizeof v; ++i) v = v << 8 | h[i];
      return v;
    }
  };
  mutable std::mutex mu_;
  size_t capacity_;
  std::unordered_set<Hash, HashOf> set_;
  std::deque<Hash> order_;
  mutable uint64_t hits_ = 0, misses_ = 0;
};

struct VerifyOptions {
  std::string challenge;               // the challenge the verifier issued
  uint64_t now_ms = 0;                 // the verifier's clock (expiry, age)
  std::optional<uint64_t> max_age_ms;  // nullopt: any age is acceptable
  // A fresher status proof fetched by the verifier (verify --node): checked
  // exactly like the bundle's and used instead of it. The bundle's own status
  // evidence stays covered by the holder's signature.
  std::optional<StatusEvidence> fresh_status;
  // Optional (not owned): skip the signature checks of certificates this
  // verifier has already accepted, byte for byte. nullptr = check every time.
  CertificateCache* cache = nullptr;
};

struct Verdict {
  Outcome outcome = Outcome::kInvalid;
  Reason reason = Reason::kBadEncoding;
  std::string detail;  // human-readable explanation
  // Filled as far as verification got:
  std::string licence_id;
  std::string type_code;
  std::string issuer_org;
  std::string issuer_kind;  // "org_admin" (genesis) or "clerk" (enrolled on the ledger)
  uint64_t issued_height = 0;
  std::optional<uint64_t> status_height;   // header height of the status proof
  std::optional<uint64_t> status_time_ms;  // that header's timestamp
  std::optional<uint64_t> status_age_ms;   // now_ms - status_time_ms (0 if negative)
  std::string status;                      // effective status name ("valid", ...)
  std::vector<std::pair<std::string, std::string>> disclosed;  // verified (field, value)
  std::string challenge;
  uint64_t created_at_ms = 0;

  bool valid() const { return outcome == Outcome::kValid; }
  std::string ToJson() const;  // {"result","reason","detail","licence_id",...,"height","age_ms"}
};

// `v` (with what the checks so far learnt) turned INVALID for `reason`.
Verdict Invalid(Verdict v, Reason reason, std::string detail);

class Verifier {
 public:
  explicit Verifier(Genesis genesis);

  // Full check of a presentation (docs/proof-format.md, in that order).
  Verdict Verify(const Presentation& p, const VerifyOptions& opts) const;
  Verdict VerifyEncoded(ByteView presentation, const VerifyOptions& opts) const;
  // A bare bundle (no holder signature, no challenge, no disclosures).
  Verdict VerifyBundle(const Bundle& b, const VerifyOptions& opts) const;
  Verdict VerifyBundleEncoded(ByteView bundle, const VerifyOptions& opts) const;

  const Genesis& genesis() const { return genesis_; }

 private:
  // `signing_body`: the presentation's signed bytes when already at hand.
  Verdict Check(const Bundle& b, const Presentation* p, ByteView signing_body,
                const VerifyOptions& opts) const;
  std::optional<Verdict> CheckCertified(const Verdict& v, const consensus::BlockHeader& header,
                                        const consensus::CommitCertificate& cert,
                                        const VerifyOptions& opts, const char* which) const;

  std::optional<Verdict> CheckStateCertified(const Verdict& v, const consensus::BlockHeader& header,
                                             const StateVotes& votes, const VerifyOptions& opts,
                                             const char* which) const;

  Genesis genesis_;
  consensus::ValidatorSet validators_;
  Hash validators_digest_{};  // SHA-256 over the validator keys (certificate cache keys)
};

}  // namespace licenced::proof
