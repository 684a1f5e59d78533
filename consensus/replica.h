// A PBFT replica (Castro & Liskov, OSDI'99 / TOCS'02) as a pure deterministic
// state machine: inputs are calls carrying the current time, outputs are
// effects returned as values. No I/O, clock, threads or randomness inside.
// See docs/consensus.md for the protocol, message formats, persistence keys
// and timers.
//
// Not thread-safe: the host drives one Replica from one strand / thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "consensus/block.h"
#include "consensus/messages.h"
#include "consensus/recently_committed.h"
#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"

namespace licenced::consensus {

struct ReplicaConfig {
  ValidatorSet validators;
  ReplicaId self = 0;
  size_t max_batch_txs = 2000;
  TimeMs max_batch_wait = 5;
  uint64_t checkpoint_interval = 32;  // K: a checkpoint every K blocks
  uint64_t watermark_window = 64;     // high watermark = stable checkpoint + window
  TimeMs view_change_timeout = 2000;  // base; doubles on each failed view change
  TimeMs max_clock_skew = 5000;       // |block timestamp - backup's now| bound
  Hash genesis_hash{};                // prev_hash of block 1
  // Committed transactions are known from the replica's own deliveries, for
  // the last `committed_id_window` heights (consensus/recently_committed.h).
  uint64_t committed_id_window = 64;
  // Those of the blocks executed before Create (the host reads them from its
  // block store), oldest first; heights <= the executed height given to Create.
  std::vector<CommittedBlockTxs> recently_committed;

  // ---- additions to the contract (all optional) ----
  // Timestamp of the header of block `executed_height` given to Create (the
  // host reads it from its block store; 0 at genesis = genesis_time_ms).
  // Used for the "timestamps strictly increase" check after a restart.
  TimeMs executed_block_timestamp = 0;
  TimeMs genesis_time_ms = 0;
  // Period of the status / retransmission tick. 0: view_change_timeout / 4.
  TimeMs status_interval = 0;
  // Requests kept waiting for a block at most; more are refused.
  size_t max_pending_requests = 100000;
  // Request dissemination: new client requests are buffered and broadcast as
  // one signed RequestBatch when this many txs / encoded bytes are buffered,
  // or `request_flush_wait` (0: max_batch_wait) after the first one.
  // Clamped to kMaxRequestBatchTxs / kMaxRequestBatchBytes (messages.h).
  size_t max_request_batch_txs = 1024;
  size_t max_request_batch_bytes = 1024 * 1024;
  TimeMs request_flush_wait = 0;

  // Order ahead of execution (genesis consensus.order_ahead_window, W >= 1):
  // the header of block h carries the state root after block h - W (the
  // empty-state root for h <= W), so the primary may propose, and backups
  // may vote on, block h once they have executed h - W: up to W committed
  // blocks wait for execution while the next one is ordered. W = 1 is the
  // rule of ledgers made before the window existed (header h carries the
  // root after h - 1; ordering waits for execution).
  uint64_t order_ahead_window = 1;
  // State roots after the blocks executed before Create that are within the
  // window (the host reads them from its store): (height, root), heights
  // in (executed_height - W, executed_height]. The root after
  // `executed_height` itself is Create's argument.
  std::vector<std::pair<uint64_t, Hash>> recent_state_roots;
};

// The one state-transfer limit: a FetchBlocks asks for at most this many
// blocks, and a peer serves at most this many per request.
inline constexpr uint64_t kMaxFetchBlocks = 64;

// Effects, executed by the host IN ORDER. A Persist must be durable before any
// later effect of the same vector runs.
struct SendTo {
  ReplicaId to;
  Bytes message;  // canonical signed encoding (consensus/messages.h)
};
struct Broadcast {
  Bytes message;  // to every validator except self
};
struct Persist {
  std::string key;  // opaque to the host; see docs/consensus.md
  Bytes value;      // empty = delete the key
};
struct SetTimer {
  TimerId id;  // (re)arms timer `id`; an armed timer with the same id is replaced
  TimeMs deadline;
};
struct CancelTimer {
  TimerId id;
};
struct Deliver {
  Block block;  // committed; in height order, each height exactly once per process
  CommitCertificate cert;
};
struct FetchBlocks {
  // Ask `peer` for its committed blocks [from_height, to_height] with their
  // certificates (any prefix is fine); answer with OnFetchedBlocks.
  ReplicaId peer;
  uint64_t from_height;
  uint64_t to_height;
};
// 2f+1 validators signed the same state after executing block
// `certificate.checkpoint.height` (a state vote is a Checkpoint message, sent
// for every executed block): that block's state certificate. Emitted once per
// height, in no particular order; the host stores it with the block.
struct Certified {
  CheckpointProof certificate;
};
// This replica's own execution disagrees with a certified state (a state
// certificate, or the state root a committed header carries): the host must
// stop executing, for good, and tell the operator. The replica signs no more
// state votes and votes on no more proposals; it still delivers blocks.
struct HaltExecution {
  uint64_t height = 0;  // the first height whose state disagrees
  std::string reason;
};
using Effect = std::variant<SendTo, Broadcast, Persist, SetTimer, CancelTimer, Deliver, FetchBlocks,
                            Certified, HaltExecution>;

// Why the replica dropped a peer's message or a request. Counted per reason
// (Replica::dropped), so an operator sees what a faulty, lagging or
// misconfigured peer sends (the node exports licenced_consensus_dropped_total).
enum class DropReason : uint8_t {
  kUndecodable,        // the envelope or its body does not decode
  kSpoofedSender,      // the envelope's sender is not the link's peer, or is this replica
  kBadSignature,       // a signature (envelope or nested) does not verify
  kStaleView,          // for a view this replica has left
  kWrongSender,        // a pre-prepare or new view not from the view's primary; a prepare from it
  kOutsideWatermarks,  // a height at or below the stable checkpoint or above the high watermark
  kConflictsWithVote,  // a pre-prepare for another block than the one this replica voted for
  kDuplicate,          // already held (a retransmission)
  kEquivocation,       // a second, different vote or proposal of one sender for (view, height)
  kBadBlockBody,       // txs that do not match tx_root, or no body where one is needed
  kInvalidProposal,    // a proposal that fails validation (links, roots, time, transactions)
  kInvalidViewChange,  // a view change or new view that does not prove what it claims
  kTooFarAhead,        // a view or checkpoint too far beyond this replica's to keep
  kInvalidRequest,     // a transaction that fails validation, or one already committed
  kMempoolFull,        // max_pending_requests reached
  kUnwanted,           // a block body or fetched block nobody asked for, or that does not fit
  kCount
};
inline constexpr size_t kDropReasons = static_cast<size_t>(DropReason::kCount);
// "undecodable", "spoofed_sender", ... (Prometheus label values).
const char* DropReasonName(DropReason reason);

class ReplicaCore;
class ReplicaTestAccess;  // defined only in tests (test-only unsafe switches)

class Replica {
 public:
  // `persisted`: every (key, value) Persist wrote and the host still holds
  // (any order). executed_*: what the host has executed and stored (0 and the
  // genesis hash / empty-state root at genesis).
  static Result<std::unique_ptr<Replica>> Create(
      ReplicaConfig config, crypto::KeyPair key,
      std::vector<std::pair<std::string, Bytes>> persisted, uint64_t executed_height,
      Hash executed_block_hash, Hash state_root_after_executed);
  ~Replica();
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  std::vector<Effect> Start(TimeMs now);
  // A peer's message, decoded by the host (consensus/messages.h). If
  // message.signatures_checked, the replica skips every signature check for
  // it (envelope and nested); every other check (sender == from, views,
  // quorums, digests) still runs.
  // REQUIRES: if signatures_checked, VerifyMessageSignatures(config.validators,
  // message.envelope).ok().
  std::vector<Effect> OnMessage(InboundMessage message, TimeMs now);
  // A client's transaction, with its id. REQUIRES: the host checked it
  // (decoded, network, signature).
  std::vector<Effect> OnRequest(Bytes tx, Hash id, TimeMs now);
  std::vector<Effect> OnTimer(TimerId id, TimeMs now);
  // The host executed the Delivered block `height` (heights in order).
  std::vector<Effect> OnExecuted(uint64_t height, Hash block_hash, Hash state_root_after,
                                 TimeMs now);
  // Answer to FetchBlocks (possibly partial, possibly empty). Every block is
  // checked (certificate, linkage, tx_root) before it is Delivered.
  // `txs`: one TxInfo per transaction of the blocks, in order (block by
  // block); an answer whose infos do not match is dropped.
  std::vector<Effect> OnFetchedBlocks(std::vector<std::pair<Block, CommitCertificate>> blocks,
                                      std::vector<TxInfo> txs, TimeMs now);
  // The state certificates that came with fetched blocks (the serving peer's
  // stored ones, docs/consensus.md "Certified execution"). Each that holds a
  // quorum of valid state votes for one state, of a block Delivered here and
  // not certified yet, is taken as if assembled from votes: Certified is
  // emitted and this replica's own root is checked against it once executed
  // (HaltExecution on a difference). Others are dropped.
  std::vector<Effect> OnFetchedStateCertificates(std::vector<CheckpointProof> certificates,
                                                 TimeMs now);

  // ---- read-only status ----
  uint64_t view() const;
  ReplicaId primary() const;
  bool in_view_change() const;
  uint64_t committed_height() const;  // highest height Delivered
  uint64_t executed_height() const;
  // Highest height this replica holds a state certificate for (0: none).
  uint64_t certified_height() const;
  // Set once this replica's execution disagreed with a certified state
  // (HaltExecution's reason).
  const std::optional<std::string>& execution_halted() const;
  uint64_t stable_checkpoint() const;
  size_t pending_requests() const;
  uint64_t view_changes() const;  // view changes this replica started or joined
  // Pre-prepares, prepares and commits the vote record refused to sign (each
  // one a contradiction of an earlier vote that another rule failed to stop).
  uint64_t refused_signatures() const;
  // Messages and requests dropped for `reason` since Create.
  uint64_t dropped(DropReason reason) const;
  // Set (for good) when an input left the replica in a state its invariants
  // forbid (docs/consensus.md "Invariants"): that input's effects were
  // discarded and every later input is ignored. The host halts on it.
  const std::optional<std::string>& broken_invariant() const;

  // Persist-then-restore equality (docs/consensus.md "Invariants"): a replica
  // restored from `persisted` (every entry this one has written, as the host
  // holds it) comes back with this one's view, stable checkpoint, vote record
  // and prepared certificates above the checkpoint. OK, or Internal naming the
  // first difference. Costs a restore: the simulator and the unit harness
  // call it after each input; the daemon does not.
  Status CheckRestoresFrom(const std::vector<std::pair<std::string, Bytes>>& persisted) const;

 private:
  friend class ReplicaTestAccess;
  // Runs one input on the core, then checks the invariants.
  template <typename Fn>
  std::vector<Effect> Step(Fn&& input);
  explicit Replica(std::unique_ptr<ReplicaCore> core);
  std::unique_ptr<ReplicaCore> core_;
};

}  // namespace licenced::consensus
