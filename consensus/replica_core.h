// Internal: the state and phase logic behind consensus::Replica. Split by
// protocol phase into normal_case.cc, checkpoint.cc, view_change.cc,
// state_transfer.cc and persistence.cc. Not part of the public API.
//
// Not thread-safe (see Replica).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "consensus/block.h"
#include "consensus/fetch_tracker.h"
#include "consensus/messages.h"
#include "consensus/replica.h"
#include "consensus/request_pool.h"
#include "consensus/vote_record.h"

namespace licenced::consensus {

// Timer ids used in SetTimer / CancelTimer / OnTimer.
inline constexpr TimerId kTimerBatch = 1;         // primary: max batch wait elapsed
inline constexpr TimerId kTimerProgress = 2;      // request / view-change timeout
inline constexpr TimerId kTimerTick = 3;          // status + retransmission
inline constexpr TimerId kTimerFetch = 4;         // state-transfer retry
inline constexpr TimerId kTimerRequestFlush = 5;  // flush buffered requests as a RequestBatch

// Limits that protect against a single faulty peer.
inline constexpr uint64_t kMaxFutureViews = 8;        // buffer messages at most this far ahead
inline constexpr size_t kMaxBufferedPerSender = 64;   // future-view messages kept per sender
inline constexpr uint64_t kMaxViewJump = 1u << 20;    // views beyond view+this are ignored
inline constexpr size_t kMaxResendRequests = 64;      // requests re-forwarded per tick
inline constexpr TimeMs kMaxRequestWaitTimeouts = 8;  // oldest request's wait bound, in timeouts
inline constexpr uint64_t kIdleStatusTicks = 8;       // idle replicas send Status every 8 ticks
// Committed headers' state roots kept for heights not executed yet (a
// replica catching up delivers far ahead of execution; beyond this many the
// header check is skipped, the state certificates still apply).
inline constexpr size_t kMaxAheadStateChecks = 1024;

// Persist keys (see docs/consensus.md).
inline constexpr std::string_view kKeyView = "pbft/view";
inline constexpr std::string_view kKeyCheckpoint = "pbft/ckpt";
std::string VoteKey(uint64_t height);      // "pbft/vote/<20-digit height>"
std::string PreparedKey(uint64_t height);  // "pbft/prep/<20-digit height>"

// Where a slot stands in the current view; a view change sets every slot
// back to kIdle. Each later phase implies the earlier ones (a rejected
// pre-prepare is never voted on).
enum class SlotPhase : uint8_t {
  kIdle,         // no pre-prepare accepted in the current view
  kPrePrepared,  // a pre-prepare accepted (pp_view == view_), not voted on yet
  kRejected,     // the pre-prepare failed validation: never prepared in this view
  kPrepareSent,  // voted: a backup's Prepare, or the primary's own pre-prepare
  kCommitSent,   // prepared: the certificate persisted and our Commit sent
};
const char* SlotPhaseName(SlotPhase phase);

// Where the accepted pre-prepare came from.
enum class ProposalSource : uint8_t {
  kPrimary,  // the view's primary proposed it (validated before preparing)
  kNewView,  // re-proposed by a NewView (prepared in an earlier view: no validation)
};

struct Slot {
  SlotPhase phase = SlotPhase::kIdle;
  bool has_pp() const { return phase != SlotPhase::kIdle; }
  bool voted() const { return phase >= SlotPhase::kPrepareSent; }
  bool prepared() const { return phase == SlotPhase::kCommitSent; }

  // The pre-prepare accepted for the current view (has_pp(): pp_view == view_).
  uint64_t pp_view = 0;
  ProposalSource source = ProposalSource::kPrimary;
  Block block;  // txs empty = body not known yet (re-proposal by digest)
  Hash digest{};
  TimeMs body_requested = 0;  // last BlockRequest broadcast for the body
  std::set<Hash> tx_ids;      // of block
  SignedMessage pp_msg;
  TimeMs pp_received = 0;
  // Votes seen, keyed by (view, digest).
  std::map<std::pair<uint64_t, Hash>, std::map<ReplicaId, SignedMessage>> prepares;
  std::map<std::pair<uint64_t, Hash>, std::map<ReplicaId, crypto::Signature>> commits;
  // Best (highest view) prepared certificate this replica holds.
  std::optional<PreparedCert> pcert;
  uint64_t pcert_view = 0;
  Block pcert_block;
  // Own signed messages, for retransmission.
  std::optional<Bytes> my_prepare, my_commit;
  std::set<ReplicaId> commit_replied;  // peers sent my_commit after we committed
  // Commit certificate gathered (block known), waiting to be Delivered in
  // order (a delivered slot is one at or below delivered_height_).
  std::optional<CommitCertificate> cert;
  Block cert_block;
};

class ReplicaCore {
 public:
  ReplicaCore(ReplicaConfig config, crypto::KeyPair key);

  // ---- persistence.cc ----
  Status Restore(const std::vector<std::pair<std::string, Bytes>>& persisted);

  // ---- replica.cc (dispatch) ----
  void Start(TimeMs now);
  void OnMessage(const InboundMessage& message, TimeMs now);
  void OnTimer(TimerId id, TimeMs now);

  // ---- normal_case.cc ----
  void OnRequest(Bytes tx, const TxInfo& info, TimeMs now, bool forward);
  // True if newly pending.
  bool AddPending(Bytes tx, const TxInfo& info, TimeMs now, bool forward);
  void FlushRequests();
  // `txs`: the host's infos of the transactions the message carries.
  void HandleRequest(const SignedMessage& m, std::span<const TxInfo> txs, TimeMs now);
  void HandleRequestBatch(const SignedMessage& m, std::span<const TxInfo> txs, TimeMs now);
  void HandleBlockRequest(const SignedMessage& m, TimeMs now);
  void HandleBlockResponse(const SignedMessage& m, std::span<const TxInfo> txs, TimeMs now);
  // Fills a missing body of slot `h` (digest-checked); true if it did.
  // REQUIRES: the body's txs were learnt (LearnBody).
  bool FillBody(uint64_t h, const Block& block);
  // Records the host's infos of a body's txs, by the block's digest; false if
  // they do not match its txs. The first infos for a digest are kept.
  bool LearnBody(const Hash& digest, const Block& block, std::span<const TxInfo> txs);
  const std::vector<TxInfo>* BodyTxs(const Hash& digest) const;
  // slot.tx_ids from the learnt infos of slot.digest (empty if none).
  void SetSlotTxIds(Slot& slot);
  void RequestMissingBodies(TimeMs now);
  const Block* KnownBody(uint64_t h, const Hash& digest) const;
  void HandlePrePrepare(const SignedMessage& m, std::span<const TxInfo> txs, TimeMs now);
  void HandlePrepare(const SignedMessage& m, TimeMs now);
  void HandleCommit(const SignedMessage& m, TimeMs now);
  void OnExecuted(uint64_t height, const Hash& block_hash, const Hash& state_root, TimeMs now);
  void MaybePropose(TimeMs now);
  void TryValidatePending(TimeMs now);
  void AcceptPrePrepare(uint64_t height, const SignedMessage& m, Block block, bool from_new_view,
                        TimeMs now);
  void TryPrepare(uint64_t height, TimeMs now);
  void CheckPrepared(uint64_t height, TimeMs now);
  void CheckCommitted(uint64_t height, TimeMs now);
  void DeliverReady(TimeMs now);
  // `txs`: the block's tx infos (nullptr: not known, e.g. a proposal of our
  // own restored from disk; the executor's duplicate rule covers it).
  void DeliverBlock(Block block, CommitCertificate cert, const std::vector<TxInfo>* txs,
                    TimeMs now);
  Status ValidateProposal(const Slot& slot) const;
  void RearmProgressTimer(TimeMs now);
  void ReplyCommit(ReplicaId to, uint64_t height);
  bool InFlight(const Hash& tx_id) const;

  // ---- checkpoint.cc ----
  void HandleCheckpoint(const SignedMessage& m, TimeMs now);
  // Signs and broadcasts this replica's state vote for executed `height`.
  void SendStateVote(uint64_t height, const Hash& block_hash, const Hash& root, TimeMs now);
  // Certifies `height` if 2f+1 votes agree (emits Certified once), then
  // makes a checkpoint height stable.
  void MaybeCertify(uint64_t height, TimeMs now);
  // Takes `certificate` as the state certificate of its height (REQUIRES: a
  // quorum's, not certified yet, above the low watermark): records it, checks
  // the own root against it (now or once executed) and emits Certified.
  void TakeStateCertificate(CheckpointProof certificate);
  void MaybeStable(uint64_t height, TimeMs now);
  // The state after `height` by this replica's own execution (genesis: the
  // empty-state root given to Create); nullopt if not executed or pruned.
  std::optional<Hash> RootAfter(uint64_t height) const;
  // Height whose state root the header of block `height` carries.
  uint64_t HeaderStateHeight(uint64_t height) const {
    return height > config_.order_ahead_window ? height - config_.order_ahead_window : 0;
  }
  // Compares this replica's root after `height` with a certified one (from
  // a state certificate or a committed header); halts execution on a
  // difference.
  void CheckAgainstCertified(uint64_t height, const Hash& certified, const char* source);
  void HaltExecutionAt(uint64_t height, std::string reason);
  void AdoptStableCheckpoint(CheckpointProof proof, TimeMs now);
  void GarbageCollect(uint64_t upto);
  void HandleStatus(const SignedMessage& m, TimeMs now);
  void Tick(TimeMs now);
  Status VerifyCheckpointProof(const CheckpointMsg& ck,
                               const std::vector<SignedMessage>& msgs) const;

  // ---- view_change.cc ----
  void StartViewChange(uint64_t new_view, TimeMs now);
  void HandleViewChange(const SignedMessage& m, TimeMs now);
  void HandleNewView(const SignedMessage& m, TimeMs now);
  Status ValidateViewChange(const SignedMessage& m, ViewChangeMsg* out) const;
  Status ValidatePreparedCert(const PreparedCert& c, uint64_t min_height, uint64_t below_view,
                              uint64_t* height, Block* block) const;
  void MaybeJoinViewChange(TimeMs now);
  void MaybeSendNewView(TimeMs now);
  void InstallView(uint64_t view, const Bytes& new_view_bytes,
                   const std::vector<ViewChangeMsg>& vcs,
                   const std::vector<std::pair<SignedMessage, Block>>& pps, TimeMs now);
  void BufferFuture(const SignedMessage& m, uint64_t view, std::span<const TxInfo> txs = {});
  void ReplayBuffered(TimeMs now);

  // ---- state_transfer.cc ----
  void MaybeFetch(ReplicaId peer, uint64_t target, TimeMs now);
  void OnFetchedBlocks(std::vector<std::pair<Block, CommitCertificate>> blocks,
                       std::vector<TxInfo> txs, TimeMs now);
  void OnFetchedStateCertificates(std::vector<CheckpointProof> certificates, TimeMs now);

  // ---- invariants.cc ----
  // OK iff the always-on invariants hold (docs/consensus.md "Invariants");
  // else Internal naming the first one broken.
  Status CheckInvariants() const;
  // Replica::CheckRestoresFrom.
  Status CheckRestoreEquality(const std::vector<std::pair<std::string, Bytes>>& persisted) const;
  // Set once an invariant failed: the replica takes no more input.
  std::optional<std::string> broken_;

  // ---- helpers (replica.cc) ----
  ReplicaId PrimaryOf(uint64_t view) const {
    return static_cast<ReplicaId>(view % config_.validators.n());
  }
  bool IsPrimary() const { return PrimaryOf(view_) == config_.self; }
  size_t PrepareQuorum() const;  // 2f (prepares from backups)
  size_t CommitQuorum() const;   // 2f+1
  SignedMessage SignMsg(MsgType type, Bytes body) const;
  Status VerifyMsg(const SignedMessage& m) const;
  uint64_t LowWatermark() const { return stable_.checkpoint.height; }
  uint64_t HighWatermark() const { return LowWatermark() + config_.watermark_window; }
  TimeMs Interval() const;
  template <typename T>
  void Emit(T&& e) {
    out_.emplace_back(std::in_place_type<std::decay_t<T>>, std::forward<T>(e));
  }
  // Every outgoing message goes through these: over kMaxMessageBytes it is
  // dropped (counted in oversize_dropped_), never emitted.
  void Send(ReplicaId to, const SignedMessage& m) { SendBytes(to, m.Encode()); }
  void BroadcastMsg(const SignedMessage& m) { BroadcastBytes(m.Encode()); }
  void SendBytes(ReplicaId to, Bytes wire);
  void BroadcastBytes(Bytes wire);
  // The one way this replica signs a pre-prepare, prepare or commit (`type`,
  // with `body` for view_ and `height`): the endorsement of `digest` is
  // checked against the vote record and the delivered chain, recorded and
  // persisted, and only then signed. nullopt (counted in refused_signatures_)
  // if signing would contradict what this replica signed or delivered before.
  std::optional<SignedMessage> SignVote(MsgType type, uint64_t height, const Hash& digest,
                                        Bytes body);
  // Endorses an already signed pre-prepare of our own (a NewView re-proposal);
  // false if that would contradict an earlier endorsement.
  bool EndorseOwnPrePrepare(uint64_t height, const Hash& digest, const SignedMessage& pp);
  VoteRecord::Verdict EndorsementVerdict(uint64_t height, const Hash& digest) const;
  void RecordEndorsement(uint64_t height, const Hash& digest, const Bytes& pp_wire);
  void PersistView();
  std::vector<Effect> TakeEffects() { return std::move(out_); }

  // ---- state ----
  ReplicaConfig config_;
  crypto::KeyPair key_;
  std::vector<Effect> out_;

  uint64_t view_ = 0;
  bool in_view_change_ = false;
  uint64_t view_changes_ = 0;
  uint32_t backoff_ = 0;      // progress timeout = base << backoff_
  TimeMs last_progress_ = 0;  // last local delivery or execution (see RearmProgressTimer)

  uint64_t executed_height_ = 0;
  Hash executed_hash_{};
  Hash executed_state_root_{};
  TimeMs executed_ts_ = 0;
  uint64_t delivered_height_ = 0;
  Hash delivered_hash_{};
  TimeMs delivered_ts_ = 0;  // header timestamp of block delivered_height_
  std::map<uint64_t, std::pair<Hash, TimeMs>> delivered_info_;  // height -> (hash, ts), above low

  std::map<uint64_t, Slot> log_;
  VoteRecord votes_;  // the double-vote guard: what this replica endorsed, per height
  uint64_t refused_signatures_ = 0;
  std::array<uint64_t, kDropReasons> dropped_{};
  // Counts a dropped message or request (returns nothing, for `return Drop(...)`).
  void Drop(DropReason reason) {
    ++dropped_[static_cast<size_t>(reason)];
  }  // SignVote refusals (a rule elsewhere let one through)
  std::set<uint64_t> persisted_heights_;

  // Requests waiting for a block.
  RequestPool pool_;
  RecentlyCommitted committed_{config_.committed_id_window};
  // The host's infos of the txs of the block bodies this replica holds, by
  // block digest (LearnBody); pruned with the log.
  std::map<Hash, std::vector<TxInfo>> body_txs_;
  // Requests received from clients, not yet broadcast (RequestBatch).
  std::vector<Bytes> outbox_;
  size_t outbox_bytes_ = 0;
  TimeMs flush_deadline_ = 0;  // 0 = kTimerRequestFlush not armed
  std::map<std::pair<ReplicaId, uint64_t>, TimeMs> body_replied_;  // (peer, height) -> when
  uint64_t oversize_dropped_ = 0;

  // Checkpoints and state votes: a Checkpoint message for every executed
  // height is that height's state vote; 2f+1 matching ones certify it.
  CheckpointProof stable_;  // height 0 = genesis
  std::map<uint64_t, std::map<ReplicaId, SignedMessage>> checkpoints_;
  std::optional<SignedMessage> my_checkpoint_;  // at the latest checkpoint height
  std::optional<SignedMessage> my_state_vote_;  // at the executed height
  // Own state roots after executed heights, from the lowest a proposal,
  // a certificate or a committed header may still ask about (pruned with
  // the log); see RootAfter.
  std::map<uint64_t, Hash> roots_;
  // Certified roots above the executed height (checked once executed), and
  // the heights certified above the low watermark (each emitted once).
  std::map<uint64_t, Hash> certified_ahead_;
  std::set<uint64_t> certified_;
  uint64_t certified_height_ = 0;
  // State roots the committed headers carry for heights not executed yet.
  std::map<uint64_t, Hash> header_roots_ahead_;
  std::optional<std::string> execution_halted_;

  // View change.
  std::map<ReplicaId, std::pair<SignedMessage, ViewChangeMsg>>
      view_change_msgs_;  // latest per sender
  std::optional<SignedMessage> my_view_change_;
  std::optional<Bytes> last_new_view_;  // NewView that installed view_ (if any)
  struct Buffered {
    uint64_t view = 0;
    SignedMessage message;
    std::vector<TxInfo> txs;  // of a pre-prepare
  };
  std::map<ReplicaId, std::deque<Buffered>> future_;

  // Timers and liveness.
  TimeMs progress_deadline_ = 0;  // 0 = not armed
  TimeMs batch_deadline_ = 0;
  std::map<ReplicaId, TimeMs> last_reply_;  // rate limit for NewView / Status replies
  uint64_t delivered_at_last_tick_ = 0;
  uint64_t ticks_ = 0;

  // State transfer.
  FetchTracker fetch_;

  // Test-only (ReplicaTestAccess).
  bool unsafe_quorums_ = false;
  // A deliberately broken view change that leaves the slots in their old
  // phases, to show the invariant checks catching it.
  bool stale_phases_for_testing_ = false;
  // A replica that keeps its prepared certificates in memory only (the
  // persist-then-restore check catches it).
  bool unpersisted_prepared_for_testing_ = false;
  // A replica that certifies a state on one vote (the simulator's
  // certified-root check catches it when a validator signs wrong roots).
  bool unsafe_state_quorum_for_testing_ = false;
  // A replica that takes fetched state certificates without checking their
  // votes (the simulator's certified-root check catches it when a peer
  // serves forged ones).
  bool unsafe_fetched_certificates_for_testing_ = false;
};

}  // namespace licenced::consensus
