// PBFT wire messages and their canonical, signed encodings.
//
// Every message on the wire is a SignedMessage:
//   type u8, sender u32, body var bytes, signature 64 raw
// where signature = Ed25519 of SigningBytes(TagFor(type), SignedPart(type,
// body)) by validator `sender`; SignedPart is the body itself for every type
// except PrePrepare (see below). Bodies (fields in order, core/encoding.h rules):
//   Request     tx var                       (old single-tx form; still accepted)
//   RequestBatch count u32 + each tx var      (1..kMaxRequestBatchTxs txs)
//   PrePrepare  view u64, block var (Block::Encode; height = block height)
//               SIGNED PART: view u64 || header (116), not the txs (the
//               header's tx_root commits to them). A "stripped" pre-prepare
//               (same header, no txs) keeps a valid signature: view changes
//               and new views carry only stripped ones (digests, not bodies).
//   BlockRequest height u64, block_hash 32     (ask peers for a block body)
//   BlockResponse block var                    (any replica; checked against the hash)
//   Prepare     view u64, height u64, block_hash 32
//   Commit      view u64, height u64, block_hash 32   (== CommitVoteBody)
//   Checkpoint  height u64, block_hash 32, state_root 32
//   ViewChange  new_view u64, ckpt_height u64, ckpt_block_hash 32, ckpt_state_root 32,
//               proof count u32 + each SignedMessage (Checkpoint) as var,
//               prepared count u32 + each { pre_prepare var, prepares count u32 + var each }
//   NewView     view u64, view_changes count u32 + var each, pre_prepares count u32 + var each
//   Status      view u64, in_view_change u8, executed_height u64, stable_checkpoint u64
// Decoders reject malformed input with a Status; they never assert.
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "consensus/block.h"
#include "core/bytes.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/status.h"

namespace licenced::consensus {

enum class MsgType : uint8_t {
  kRequest = 1,
  kPrePrepare = 2,
  kPrepare = 3,
  kCommit = 4,
  kCheckpoint = 5,
  kViewChange = 6,
  kNewView = 7,
  kStatus = 8,
  kRequestBatch = 9,
  kBlockRequest = 10,
  kBlockResponse = 11,
};
inline constexpr uint8_t kMaxMsgType = 11;

// Signing tag per message type, e.g. "licenced/pbft/prepare/v1".
std::string_view TagFor(MsgType type);
const char* MsgTypeName(MsgType type);

// Hard cap on every encoded consensus message (decoders reject larger input;
// the replica never emits a larger one). Well under the 16 MiB gRPC limit.
inline constexpr size_t kMaxMessageBytes = 8 * 1024 * 1024;
// A proposed block's encoding stays under this (room for the envelope).
inline constexpr size_t kMaxProposalBytes = kMaxMessageBytes - 4096;
// Request batches: at most this many txs / encoded body bytes (receivers drop
// larger ones; the sender's config limits are clamped to these).
inline constexpr size_t kMaxRequestBatchTxs = 4096;
inline constexpr size_t kMaxRequestBatchBytes = 4 * 1024 * 1024;

// The bytes a message's signature covers: `body` itself, except for
// PrePrepare where it is view u64 || header (the first 8 and the 116 header
// bytes of the body). nullopt if a PrePrepare body is too short to hold them.
std::optional<Bytes> SignedPart(MsgType type, ByteView body);

struct SignedMessage {
  MsgType type = MsgType::kStatus;
  ReplicaId sender = 0;
  Bytes body;
  crypto::Signature signature{};

  static SignedMessage Sign(MsgType type, ReplicaId sender, Bytes body, const crypto::KeyPair& key);
  Bytes Encode() const;
  static Result<SignedMessage> Decode(ByteView data);
  // OK iff sender is a validator and the signature is valid.
  Status Verify(const ValidatorSet& validators, const SignatureVerifier& verify) const;
  bool operator==(const SignedMessage&) const = default;
};

struct RequestMsg {
  Bytes tx;
  Bytes Encode() const;
  static Result<RequestMsg> Decode(ByteView body);
};

struct RequestBatchMsg {
  std::vector<Bytes> txs;
  Bytes Encode() const;
  // Rejects 0 or more than kMaxRequestBatchTxs txs and bodies over
  // kMaxRequestBatchBytes.
  static Result<RequestBatchMsg> Decode(ByteView body);
};

struct PrePrepareMsg {
  uint64_t view = 0;
  Block block;  // txs empty in a stripped pre-prepare
  Bytes Encode() const;
  static Result<PrePrepareMsg> Decode(ByteView body);
  bool stripped() const { return block.txs.empty(); }
};

// The same pre-prepare without its txs; its signature stays valid.
// REQUIRES: m.type == kPrePrepare and its body decodes.
SignedMessage StripPrePrepare(const SignedMessage& m);

struct BlockRequestMsg {
  uint64_t height = 0;
  Hash block_hash{};
  Bytes Encode() const;
  static Result<BlockRequestMsg> Decode(ByteView body);
};

struct BlockResponseMsg {
  Block block;
  Bytes Encode() const;
  static Result<BlockResponseMsg> Decode(ByteView body);
};

// Prepare and Commit share a body layout.
struct VoteMsg {
  uint64_t view = 0;
  uint64_t height = 0;
  Hash block_hash{};
  Bytes Encode() const;
  static Result<VoteMsg> Decode(ByteView body);
};

struct CheckpointMsg {
  uint64_t height = 0;
  Hash block_hash{};
  Hash state_root{};
  Bytes Encode() const;
  static Result<CheckpointMsg> Decode(ByteView body);
  bool operator==(const CheckpointMsg&) const = default;
};

// A prepared certificate: a pre-prepare and 2f matching prepares of one view.
struct PreparedCert {
  SignedMessage pre_prepare;
  std::vector<SignedMessage> prepares;
  void EncodeTo(Writer& w) const;
  Bytes Encode() const;
  static Result<PreparedCert> Decode(ByteView data);
};

struct ViewChangeMsg {
  uint64_t new_view = 0;
  CheckpointMsg checkpoint;                     // the sender's stable checkpoint
  std::vector<SignedMessage> checkpoint_proof;  // 2f+1 Checkpoint messages (none at 0)
  std::vector<PreparedCert> prepared;           // ascending heights above the checkpoint
  Bytes Encode() const;
  static Result<ViewChangeMsg> Decode(ByteView body);
};

struct NewViewMsg {
  uint64_t view = 0;
  std::vector<SignedMessage> view_changes;  // 2f+1 ViewChange for `view`
  std::vector<SignedMessage> pre_prepares;  // PrePrepare for `view`, ascending heights
  Bytes Encode() const;
  static Result<NewViewMsg> Decode(ByteView body);
};

struct StatusMsg {
  uint64_t view = 0;
  bool in_view_change = false;
  uint64_t executed_height = 0;
  uint64_t stable_checkpoint = 0;
  Bytes Encode() const;
  static Result<StatusMsg> Decode(ByteView body);
};

// Verifies every signature a replica would check for `message` (the envelope
// and every nested signed message: checkpoint proofs, prepared certificates,
// view changes of a new view, re-proposed pre-prepares) with `verify` (empty:
// crypto::Verify). Pure and thread-safe: the host may run it on its own
// threads and then hand the message in as an InboundMessage with
// signatures_checked set, and the replica skips all signature checks (see
// docs/consensus.md, "Values into the replica"). Does not check anything
// but signatures and decoding.
Status VerifyMessageSignatures(const ValidatorSet& validators, ByteView message,
                               const SignatureVerifier& verify = {});

// The same, over a message the host has decoded.
Status VerifyMessageSignatures(const ValidatorSet& validators, const SignedMessage& message,
                               const SignatureVerifier& verify = {});

// The opaque txs a message carries (Request, RequestBatch, PrePrepare,
// BlockResponse), e.g. for the host to pre-check their client signatures off
// the strand. Empty for other types or undecodable input.
std::vector<Bytes> CarriedTxs(ByteView message);
std::vector<Bytes> CarriedTxs(const SignedMessage& message);

// What the host learnt about one opaque transaction at its edge, where it
// decodes it once: its id (the key of the mempool, of blocks' transactions
// and of committed ids; the node's transaction id) and whether it is valid
// (well-formed, of this network, signature verified). The replica never
// decodes or hashes a transaction itself.
struct TxInfo {
  Hash id{};
  bool valid = false;
};

// A peer's message as the replica takes it (Replica::OnMessage): the envelope
// decoded once, at the edge, and whether the host has already checked every
// signature in it (VerifyMessageSignatures returned OK, e.g. on the host's
// own threads). The replica checks the signatures itself when they were not.
struct InboundMessage {
  ReplicaId from = 0;  // the peer the link belongs to
  SignedMessage envelope;
  bool signatures_checked = false;
  // One per transaction the message carries (CarriedTxs(envelope), in that
  // order): what the host learnt about it at the edge.
  std::vector<TxInfo> txs;
};

// A checkpoint proof as persisted: the checkpoint and its signed messages.
struct CheckpointProof {
  CheckpointMsg checkpoint;
  std::vector<SignedMessage> messages;
  Bytes Encode() const;
  static Result<CheckpointProof> Decode(ByteView data);
};

// A state certificate (docs/consensus.md "Certified execution") is a
// CheckpointProof for any height: OK iff `proof.messages` are Checkpoint
// messages with exactly the body `proof.checkpoint` from at least
// validators.quorum() distinct validators, each validly signed (`verify`;
// empty: crypto::Verify). A stable checkpoint is the state certificate of a
// multiple of the checkpoint interval.
Status VerifyStateCertificate(const ValidatorSet& validators, const CheckpointProof& proof,
                              const SignatureVerifier& verify = {});

}  // namespace licenced::consensus
