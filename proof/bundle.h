// Licence proof bundles and holder presentations: the values, their canonical
// byte encodings and the JSON files that carry them (docs/proof-format.md
// specifies every byte; keep the two in step).
//
// A Bundle proves, to anyone holding only the genesis file, that a licence
// record was written by a committed transaction of an entitled issuer and what
// its status was at a recent certified block. A Presentation wraps a bundle
// with disclosed fields, a verifier's challenge and the holder's signature.
//
// Plain values; thread-compatible. Free functions are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/block.h"
#include "consensus/messages.h"
#include "core/bytes.h"
#include "core/crypto.h"
#include "core/state_map.h"
#include "core/status.h"

namespace licenced::proof {

inline constexpr std::string_view kBundleMagic = "licenced/proof/bundle/v1";
inline constexpr std::string_view kPresentationMagic = "licenced/proof/presentation/v1";
// Signing tag of the holder's signature over a presentation.
inline constexpr std::string_view kPresentationTag = "licenced/proof/presentation/v1";
// Format v2 (docs/proof-format.md §3.2, §4): the record proven by its status
// entry at one certified header; no issuing tx, audit path or second header.
inline constexpr std::string_view kBundleMagicV2 = "licenced/proof/bundle/v2";
inline constexpr std::string_view kPresentationMagicV2 = "licenced/proof/presentation/v2";
inline constexpr std::string_view kPresentationTagV2 = "licenced/proof/presentation/v2";
// Format v3 (docs/proof-format.md §3.3): as v2, but proven in the state after
// the header's own block under that block's state certificate, so a change
// is provable as soon as the block that made it is executed and certified.
inline constexpr std::string_view kBundleMagicV3 = "licenced/proof/bundle/v3";
inline constexpr std::string_view kPresentationMagicV3 = "licenced/proof/presentation/v3";
inline constexpr std::string_view kPresentationTagV3 = "licenced/proof/presentation/v3";
inline constexpr uint8_t kFormatV1 = 1;
inline constexpr uint8_t kFormatV2 = 2;
inline constexpr uint8_t kFormatV3 = 3;

// Decoder bounds (the input is untrusted).
inline constexpr size_t kMaxRecordBytes = 64 * 1024;
inline constexpr size_t kMaxAuditPath = 64;
inline constexpr size_t kMaxCertificateBytes = 64 * 1024;
inline constexpr size_t kMaxStatusValueBytes = 4 * 1024;
inline constexpr size_t kMaxStateProofBytes = 16 * 1024;
inline constexpr size_t kMaxChallengeBytes = 512;
inline constexpr size_t kMaxDisclosures = 64;
inline constexpr size_t kMaxFieldBytes = 256;
inline constexpr size_t kMaxValueBytes = 4096;

// The issuing transaction and its place in a certified block.
struct TxInclusion {
  Bytes tx;                // Transaction::Encode(), exactly as in Block::txs
  uint64_t index = 0;      // leaf index in the block's tx tree
  uint64_t tree_size = 0;  // canonical (smallest) tree size, see CanonicalTreeSize
  std::vector<Hash> path;  // RFC 9162 audit path, leaf side first
  consensus::BlockHeader header;
  consensus::CommitCertificate certificate;
  bool operator==(const TxInclusion&) const = default;
};

// A state certificate as a proof carries it (docs/consensus.md "Certified
// execution"): the root of the state after block `height` and the state votes
// of validators, each an Ed25519 signature under the Checkpoint message tag
// over (height, H(header of block height), state_root).
struct StateVotes {
  Hash state_root{};
  std::vector<std::pair<uint32_t, crypto::Signature>> signatures;  // replica ids ascending
  bool operator==(const StateVotes&) const = default;
};

// The licence's status value proven in a certified state. Without `state`:
// against header.state_root under the block's commit certificate (the state
// after block header.height - W). With `state` (format v3): against
// state->state_root, the state after block header.height itself, under that
// block's state certificate; `certificate` is then unused.
struct StatusEvidence {
  consensus::BlockHeader header;
  consensus::CommitCertificate certificate;
  std::optional<StateVotes> state;
  Bytes value;              // chaincode::LicenceStatusValue::Encode()
  state::StateProof proof;  // presence of LicenceStatusKey(id) -> value
  bool operator==(const StatusEvidence&) const = default;
};

// Format v1: record + issuing tx with its inclusion in a certified block +
// optional status evidence. Format v2: record + status evidence (required: it
// is what authenticates the record); `issuance` is unused (default) and not
// encoded, `licence_id` is not on the wire (it is the record's "identifier"),
// the certificate's height/block_hash are implied by the header and the state
// proof's leaf by the key and value.
// Format v3: as v2, with the status evidence's `state` set.
struct Bundle {
  uint8_t format = kFormatV1;  // kFormatV1, kFormatV2 or kFormatV3
  std::string licence_id;
  Bytes record;          // the exact bytes stored at LicenceRecordKey(licence_id) (compact JSON)
  TxInclusion issuance;  // v1 only
  std::optional<StatusEvidence> status;  // v1: nullopt gives STATUS_UNKNOWN; v2: required

  // v2 REQUIRES: status present, status->certificate for status->header, and
  // status->proof a presence proof of LicenceStatusKey(licence_id) -> value
  // (what ToV2 and Decode produce); otherwise the encoding cannot carry it.
  // v3 REQUIRES the same with status->state set instead of the certificate
  // (what ToV3 and Decode produce).
  Bytes Encode() const;
  // Either format, told apart by the magic string.
  static Result<Bundle> Decode(ByteView data);
  bool operator==(const Bundle&) const = default;
};

// The v2 form of a bundle (either format): keeps the record and status
// evidence, drops the issuance. Errors: no status evidence, a record whose
// identifier is not licence_id, a certificate for another header, a proof that
// is not a presence proof of the status key and value.
Result<Bundle> ToV2(Bundle b);

// The v3 form of a bundle whose status evidence carries a state certificate
// (`state` set). Errors as ToV2, and: no state certificate, more than 1024
// votes or a replica id above 65535.
Result<Bundle> ToV3(Bundle b);

// The state votes of a node's state certificate for `header`'s block, sorted by
// replica id. Errors: the certificate is for another height or block.
// Signatures are not checked here (the verifier does).
Result<StateVotes> StateVotesFor(const consensus::CheckpointProof& certificate,
                                 const consensus::BlockHeader& header);

// The votes with only the first `keep` (the lowest replica ids); keep == 0 or
// keep >= their number: unchanged.
StateVotes TrimStateVotes(StateVotes votes, size_t keep);

// One disclosed personal field: the verifier recomputes
// chaincode::FieldCommitment(field, value, salt) and compares it with the
// record's "commitments"[field].
struct Disclosure {
  std::string field;
  std::string value;
  Bytes salt;
  bool operator==(const Disclosure&) const = default;
};

struct Presentation {
  Bundle bundle;
  std::string challenge;                // chosen by the verifier
  uint64_t created_at_ms = 0;           // holder's clock, informational
  std::vector<Disclosure> disclosures;  // strictly ascending by field (bytewise)
  crypto::Signature signature{};        // holder key over SigningBody()

  // The format follows the bundle's: a v1 presentation holds a v1 bundle and
  // is signed with kPresentationTag, a v2 one a v2 bundle and kPresentationTagV2,
  // a v3 one a v3 bundle and kPresentationTagV3.
  uint8_t format() const { return bundle.format; }
  std::string_view SigningTag() const;
  // Everything the holder signs: the encoding without the trailing signature.
  Bytes SigningBody() const;
  Bytes Encode() const;  // SigningBody() || signature
  static Result<Presentation> Decode(ByteView data);
  bool operator==(const Presentation&) const = default;
};

// The smallest tree size n' (index < n' <= tree_size) for which the RFC 9162
// audit path of leaf `index` has the same shape as in a tree of `tree_size`
// leaves: every such size verifies the same path against the same root, so
// bundles carry this one (a verifier rejects any other).
uint64_t CanonicalTreeSize(uint64_t index, uint64_t tree_size, size_t path_len);

// The certificate with only its first `keep` signatures (the lowest replica
// ids): a quorum is all a verifier needs, and every signature kept must verify.
// keep == 0 or keep >= the number of signatures: unchanged.
consensus::CommitCertificate TrimCertificate(consensus::CommitCertificate cert, size_t keep);

// Builds a presentation and signs it with `holder`. Disclosures are sorted.
// Errors: duplicate fields, oversize values, challenge too long.
Result<Presentation> Present(Bundle bundle, std::vector<Disclosure> disclosures,
                             std::string challenge, uint64_t created_at_ms,
                             const crypto::KeyPair& holder);

// ---- JSON files (docs/proof-format.md "Files") ----
// {"format": "licenced-proof-bundle/v1" (or v2, v3), "licence_id": ..., "bundle": base64}
std::string BundleToJson(const Bundle& b);
Result<Bundle> BundleFromJson(std::string_view json);
// {"format": "licenced-presentation/v1" (or v2, v3), "licence_id": ..., "challenge": ...,
//  "presentation": base64}
std::string PresentationToJson(const Presentation& p);
Result<Presentation> PresentationFromJson(std::string_view json);
// Accepts a presentation file's JSON or the raw canonical bytes (QR payload).
Result<Presentation> PresentationFromFileBytes(ByteView file);

std::string Base64Encode(ByteView data);
Result<Bytes> Base64Decode(std::string_view text);

}  // namespace licenced::proof
