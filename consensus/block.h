// Blocks, block headers, validator sets and commit certificates: the values
// consensus agrees on and hands to the host (see docs/consensus.md).
//
// Canonical encodings (core/encoding.h), in field order:
//   BlockHeader: height u64, prev_hash 32, timestamp_ms u64, tx_root 32,
//                state_root 32, proposer u32                     (116 bytes)
//   Block:       header (116 bytes raw), tx count u32, each tx var bytes
//   CommitCertificate: view u64, height u64, block_hash 32, count u32,
//                each (replica u32, signature 64), replicas strictly ascending
// Block hash = SHA-256(header encoding). A commit signature is
// Ed25519 over SigningBytes(kCommitTag, view u64 || height u64 || block_hash).
//
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"

namespace licenced::consensus {

using ReplicaId = uint32_t;  // index of the validator in genesis "validators"
using TimeMs = uint64_t;     // ms since Unix epoch, always passed in by the host
using TimerId = uint64_t;

// Signing tag of commit votes (and therefore of commit certificates).
inline constexpr std::string_view kCommitTag = "licenced/pbft/commit/v1";
// Upper bounds enforced by decoders (peer input).
inline constexpr size_t kMaxBlockTxs = 100000;
inline constexpr size_t kMaxBlockBytes = 64 * 1024 * 1024;

// Signature check hook: (key, tag, body, signature) -> valid. Empty means
// crypto::Verify. The simulator injects a caching verifier to go fast.
using SignatureVerifier = std::function<bool(const crypto::PublicKey&, std::string_view, ByteView,
                                             const crypto::Signature&)>;

struct ValidatorSet {
  std::vector<crypto::PublicKey> keys;  // index = ReplicaId

  size_t n() const { return keys.size(); }
  size_t f() const { return keys.empty() ? 0 : (keys.size() - 1) / 3; }
  size_t quorum() const { return 2 * f() + 1; }
};

struct BlockHeader {
  uint64_t height = 0;
  Hash prev_hash{};
  uint64_t timestamp_ms = 0;
  Hash tx_root{};
  Hash state_root{};  // state after executing blocks 1..height-1
  ReplicaId proposer = 0;

  static constexpr size_t kEncodedSize = 116;
  Bytes Encode() const;
  static Result<BlockHeader> Decode(ByteView data);
  Hash ComputeHash() const;
  bool operator==(const BlockHeader&) const = default;
};

struct Block {
  BlockHeader header;
  std::vector<Bytes> txs;  // opaque encoded transactions; tx_root = merkle::Root(txs)

  Bytes Encode() const;
  static Result<Block> Decode(ByteView data);
  Hash ComputeHash() const { return header.ComputeHash(); }
  // OK iff header.tx_root == merkle::Root(txs).
  Status CheckTxRoot() const;
  bool operator==(const Block&) const = default;
};

// The body a commit vote signs: view u64 || height u64 || block_hash.
Bytes CommitVoteBody(uint64_t view, uint64_t height, const Hash& block_hash);

struct CommitCertificate {
  uint64_t view = 0;
  uint64_t height = 0;
  Hash block_hash{};
  std::vector<std::pair<ReplicaId, crypto::Signature>> signatures;  // ascending ids

  Bytes Encode() const;
  static Result<CommitCertificate> Decode(ByteView data);
  // OK iff at least quorum() distinct known validators signed (view, height,
  // block_hash) validly. Extra invalid signatures make it fail (a certificate
  // is produced only from verified votes, so one never contains junk).
  Status Verify(const ValidatorSet& validators) const;
  Status Verify(const ValidatorSet& validators, const SignatureVerifier& verify) const;
  bool operator==(const CommitCertificate&) const = default;
};

}  // namespace licenced::consensus
