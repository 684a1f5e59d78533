// Licences as W3C Verifiable Credentials 2.0 (docs/credentials.md specifies
// every field; keep the two in step): the licence credential, the issuing
// org's Bitstring Status List credentials, and their Data Integrity proofs
// with the eddsa-jcs-2022 cryptosuite (RFC 8785 JCS, SHA-256, Ed25519), so
// stock third-party verifiers check them; the v2 proof bundle travels along
// as the credential's evidence for verifiers that know our format.
//
// The issuer is the issuing org, identified as the did:key of one of its
// genesis admin keys: a verifier ties the issuer to the genesis by finding
// that key in organisations[issuer_org].admin_keys.
//
// Pure functions over plain values (no clock, no I/O); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chaincode/licence_status.h"
#include "core/bytes.h"
#include "core/crypto.h"
#include "core/data_integrity.h"
#include "core/genesis.h"
#include "core/status.h"
#include "proof/bundle.h"
#include "proof/verify.h"

namespace licenced::proof::vc {

inline constexpr std::string_view kVcContextV2 = "https://www.w3.org/ns/credentials/v2";
// The licence terms' JSON-LD context: a name, resolved from the copy shipped
// with the project (proof/contexts/licence-v1.jsonld; served by every node at
// /credentials/contexts/licence/v1), never fetched from this address.
inline constexpr std::string_view kLicenceContextUrl =
    "https://licenced.example/credentials/licence/v1";
using licenced::data_integrity::kCryptosuite;
// LedgerEvidence.bundleFormat: a v2 (docs/proof-format.md §3.2) or v3 (§3.3)
// bundle. Credentials are exported with v3; v2 ones still verify.
inline constexpr std::string_view kEvidenceBundleFormat = "licenced-proof-bundle/v2";
inline constexpr std::string_view kEvidenceBundleFormatV3 = "licenced-proof-bundle/v3";
// A status list credential is valid this long after the block it was derived from.
inline constexpr uint64_t kStatusListValidityMs = 24ull * 3600 * 1000;

// The exact bytes of proof/contexts/licence-v1.jsonld (built into the binary).
std::string_view LicenceContext();
// "sha256-" + base64 of SHA-256(LicenceContext()): the relatedResource digest.
std::string LicenceContextDigestSri();

// ---- encodings and Data Integrity (core/data_integrity.h) ----
using licenced::data_integrity::AddProof;
using licenced::data_integrity::Base58btcDecode;
using licenced::data_integrity::Base58btcEncode;
using licenced::data_integrity::Base64UrlDecode;
using licenced::data_integrity::Base64UrlEncode;
using licenced::data_integrity::DidKey;
using licenced::data_integrity::IsoTime;
using licenced::data_integrity::ParseIsoTime;
using licenced::data_integrity::PublicKeyFromDidKey;
using licenced::data_integrity::VerificationMethodId;
using licenced::data_integrity::VerifyProof;

// RFC 1952 gzip (no name, mtime 0: the same bytes for the same input) and back.
Result<Bytes> Gzip(ByteView data);
Result<Bytes> Gunzip(ByteView data, size_t max_out);

// ---- status lists ----
enum class StatusPurpose { kRevocation, kSuspension };
const char* StatusPurposeName(StatusPurpose p);  // "revocation", "suspension"
std::optional<StatusPurpose> StatusPurposeFromName(std::string_view name);
inline constexpr StatusPurpose kStatusPurposes[] = {StatusPurpose::kRevocation,
                                                    StatusPurpose::kSuspension};
// Whether a licence with this stored status has its bit set in a list of
// this purpose: revocation for revoked, cancelled and expired (final),
// suspension for suspended (may be restored); valid sets neither.
bool StatusBit(chaincode::LicenceStatus stored, StatusPurpose purpose);
// base_url + "/credentials/status/<org>/<purpose>/<list>", base_url without a trailing "/".
std::string StatusListUrl(std::string_view base_url, std::string_view org, StatusPurpose purpose,
                          uint64_t list);

// The admin key of `org` in the genesis that `key` is, or FailedPrecondition
// naming the org's admin keys: only those may issue the org's credentials.
Status CheckIssuerKey(const Genesis& genesis, std::string_view org, const crypto::PublicKey& key);

// ---- the licence credential ----
struct LicenceCredentialInput {
  Bundle bundle;                // format v3 or v2, already verified against the genesis
  uint64_t position = 0;        // chaincode::StatusListMembers position of the licence
  std::string status_base_url;  // where the issuer serves its status lists
};
// The signed credential. Errors: the bundle is not v2, its record or status
// value does not decode, the key is not an admin key of the record's
// issuer_org (CheckIssuerKey), the base URL is empty.
Result<nlohmann::json> LicenceCredential(const Genesis& genesis, const LicenceCredentialInput& in,
                                         const crypto::KeyPair& issuer_key, uint64_t created_ms);

// ---- the status list credential ----
struct StatusListInput {
  std::string org;
  StatusPurpose purpose = StatusPurpose::kRevocation;
  uint64_t list = 0;              // list number: positions list*kStatusListLength ...
  consensus::BlockHeader header;  // the certified block the statuses are proven at
  // (position, stored status) of every member of this list issued before
  // header.height; positions outside the list are an error.
  std::vector<std::pair<uint64_t, chaincode::LicenceStatus>> entries;
  std::string base_url;
};
Result<nlohmann::json> StatusListCredential(const Genesis& genesis, const StatusListInput& in,
                                            const crypto::KeyPair& issuer_key, uint64_t created_ms);
// The bits of a status list credential's encodedList (kStatusListLength/8 bytes).
Result<Bytes> DecodeStatusList(const nlohmann::json& status_list_credential);
// Bit `index` of a decoded list (index 0 = the first byte's most significant bit).
bool ListBit(const Bytes& bits, uint64_t index);

// ---- checking a credential against the genesis (what stock verifiers cannot) ----
struct CredentialVerifyOptions {
  uint64_t now_ms = 0;
  std::optional<uint64_t> max_age_ms;  // of the freshest status evidence used
  // Status list credentials the verifier holds (any of the credential's two;
  // none: the bundle's status alone decides).
  std::vector<nlohmann::json> status_lists;
};
// docs/credentials.md §4: the issuer did:key is an admin key of issuer.issuerOrg
// in this genesis (ISSUER_NOT_ENTITLED), the eddsa-jcs-2022 proof
// (BAD_CREDENTIAL_PROOF), the @context and the pinned context digest and the
// evidence's network (BAD_ENCODING, WRONG_NETWORK), the v2 bundle of the
// evidence checked as docs/proof-format.md §6 has it, the credential's fields
// against that record and status value (CREDENTIAL_MISMATCH), and each given
// status list (its issuer, proof, purpose and validity; a set bit is
// LICENCE_REVOKED or LICENCE_SUSPENDED). VALID only if all hold and the
// freshest status used is within max_age (else STATUS_UNKNOWN STALE_STATUS).
Verdict VerifyLicenceCredential(const Genesis& genesis, const nlohmann::json& credential,
                                const CredentialVerifyOptions& opts);

}  // namespace licenced::proof::vc
