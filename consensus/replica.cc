// Replica: public entry points, message dispatch and shared helpers.
#include "consensus/replica.h"

#include <algorithm>
#include <string>

#include "consensus/replica_core.h"

namespace licenced::consensus {

ReplicaCore::ReplicaCore(ReplicaConfig config, crypto::KeyPair key)
    : config_(std::move(config)), key_(std::move(key)) {}

size_t ReplicaCore::PrepareQuorum() const {
  size_t q = 2 * config_.validators.f();
  if (unsafe_quorums_ && q > 1) --q;
  return q;
}

size_t ReplicaCore::CommitQuorum() const {
  size_t q = config_.validators.quorum();
  if (unsafe_quorums_ && q > 1) --q;
  return q;
}

SignedMessage ReplicaCore::SignMsg(MsgType type, Bytes body) const {
  return SignedMessage::Sign(type, config_.self, std::move(body), key_);
}

Status ReplicaCore::VerifyMsg(const SignedMessage& m) const {
  // Nested messages: their signatures were checked with the whole message
  // (OnMessage: VerifyMessageSignatures covers every nested message this
  // replica looks at); the sender must still be a validator.
  if (m.sender >= config_.validators.n()) return Status::PermissionDenied("unknown sender");
  return Status::Ok();
}

void ReplicaCore::SendBytes(ReplicaId to, Bytes wire) {
  if (wire.size() > kMaxMessageBytes) {
    ++oversize_dropped_;
    return;
  }
  Emit(SendTo{to, std::move(wire)});
}

void ReplicaCore::BroadcastBytes(Bytes wire) {
  if (wire.size() > kMaxMessageBytes) {
    ++oversize_dropped_;
    return;
  }
  Emit(Broadcast{std::move(wire)});
}

bool ReplicaCore::LearnBody(const Hash& digest, const Block& block, std::span<const TxInfo> txs) {
  if (block.txs.empty()) return true;  // a header only: nothing to learn
  if (txs.size() != block.txs.size()) return false;
  auto [it, fresh] = body_txs_.try_emplace(digest);
  if (fresh) it->second.assign(txs.begin(), txs.end());
  return true;
}

const std::vector<TxInfo>* ReplicaCore::BodyTxs(const Hash& digest) const {
  auto it = body_txs_.find(digest);
  return it == body_txs_.end() ? nullptr : &it->second;
}

void ReplicaCore::SetSlotTxIds(Slot& s) {
  s.tx_ids.clear();
  if (const auto* txs = BodyTxs(s.digest)) {
    for (const TxInfo& t : *txs) s.tx_ids.insert(t.id);
  }
}

TimeMs ReplicaCore::Interval() const {
  if (config_.status_interval > 0) return config_.status_interval;
  return config_.view_change_timeout / 4 > 0 ? config_.view_change_timeout / 4 : 1;
}

void ReplicaCore::Start(TimeMs now) {
  for (auto& [h, s] : log_) {
    if (s.has_pp() && s.pp_received == 0) s.pp_received = now;  // restored from disk
  }
  Emit(SetTimer{kTimerTick, now + Interval()});
  // Announce ourselves: peers that are ahead answer with their Status (and
  // NewView), which starts state transfer / view catch-up.
  BroadcastMsg(
      SignMsg(MsgType::kStatus,
              StatusMsg{view_, in_view_change_, executed_height_, LowWatermark()}.Encode()));
  if (in_view_change_) {
    // Resume the view change we were in before the restart.
    uint64_t target = view_;
    view_ = target - 1;
    in_view_change_ = false;
    StartViewChange(target, now);
  }
  if (stable_.checkpoint.height > delivered_height_) {
    // Our stable checkpoint is ahead of what we executed: fetch from a signer.
    for (const SignedMessage& m : stable_.messages) {
      if (m.sender != config_.self) {
        MaybeFetch(m.sender, stable_.checkpoint.height, now);
        break;
      }
    }
  }
  MaybePropose(now);
}

void ReplicaCore::OnMessage(const InboundMessage& in, TimeMs now) {
  const SignedMessage& m = in.envelope;
  if (m.sender != in.from || in.from == config_.self) return Drop(DropReason::kSpoofedSender);
  if (m.sender >= config_.validators.n()) return Drop(DropReason::kBadSignature);
  if (!in.signatures_checked && !VerifyMessageSignatures(config_.validators, m).ok()) {
    return Drop(DropReason::kBadSignature);
  }
  switch (m.type) {
    case MsgType::kRequest:
      HandleRequest(m, in.txs, now);
      break;
    case MsgType::kPrePrepare:
      HandlePrePrepare(m, in.txs, now);
      break;
    case MsgType::kPrepare:
      HandlePrepare(m, now);
      break;
    case MsgType::kCommit:
      HandleCommit(m, now);
      break;
    case MsgType::kCheckpoint:
      HandleCheckpoint(m, now);
      break;
    case MsgType::kViewChange:
      HandleViewChange(m, now);
      break;
    case MsgType::kNewView:
      HandleNewView(m, now);
      break;
    case MsgType::kStatus:
      HandleStatus(m, now);
      break;
    case MsgType::kRequestBatch:
      HandleRequestBatch(m, in.txs, now);
      break;
    case MsgType::kBlockRequest:
      HandleBlockRequest(m, now);
      break;
    case MsgType::kBlockResponse:
      HandleBlockResponse(m, in.txs, now);
      break;
  }
}

void ReplicaCore::OnTimer(TimerId id, TimeMs now) {
  switch (id) {
    case kTimerBatch:
      batch_deadline_ = 0;
      MaybePropose(now);
      break;
    case kTimerProgress: {
      if (progress_deadline_ == 0 || now < progress_deadline_) break;
      progress_deadline_ = 0;
      if (in_view_change_) {
        // Move past a stalled view change only once a quorum is in it (PBFT
        // starts this timer at 2f+1 view-changes), so that a lone replica
        // does not run away to ever higher views.
        size_t count = 1;
        for (const auto& [sender, entry] : view_change_msgs_) {
          if (entry.second.new_view >= view_) ++count;
        }
        if (count < config_.validators.quorum()) {
          progress_deadline_ =
              now + (config_.view_change_timeout << std::min<uint32_t>(backoff_, 16));
          ++backoff_;
          Emit(SetTimer{kTimerProgress, progress_deadline_});
          if (my_view_change_) BroadcastMsg(*my_view_change_);
          break;
        }
      }
      // Timed out: either the view change did not complete, or work made no
      // progress in this view. Move on to the next view.
      StartViewChange(view_ + 1, now);
      break;
    }
    case kTimerRequestFlush:
      flush_deadline_ = 0;
      FlushRequests();
      break;
    case kTimerTick:
      Tick(now);
      Emit(SetTimer{kTimerTick, now + Interval()});
      break;
    case kTimerFetch:
      fetch_.Finished();
      if (fetch_.target() > delivered_height_) {
        // Retry with the next peer that claimed to be ahead.
        MaybeFetch(fetch_.NextPeer(config_.self, config_.validators.n(), delivered_height_),
                   fetch_.target(), now);
      }
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------

Replica::Replica(std::unique_ptr<ReplicaCore> core) : core_(std::move(core)) {}
Replica::~Replica() = default;

Result<std::unique_ptr<Replica>> Replica::Create(
    ReplicaConfig config, crypto::KeyPair key, std::vector<std::pair<std::string, Bytes>> persisted,
    uint64_t executed_height, Hash executed_block_hash, Hash state_root_after_executed) {
  if (config.validators.n() == 0) return Status::InvalidArgument("consensus: no validators");
  if (config.self >= config.validators.n()) {
    return Status::InvalidArgument("consensus: self " + std::to_string(config.self) +
                                   " is not a validator index");
  }
  if (config.validators.keys[config.self] != key.public_key()) {
    return Status::InvalidArgument("consensus: key does not match validator " +
                                   std::to_string(config.self));
  }
  for (const CommittedBlockTxs& b : config.recently_committed) {
    if (b.height > executed_height) {
      return Status::InvalidArgument("consensus: recently_committed block " +
                                     std::to_string(b.height) + " is above the executed height " +
                                     std::to_string(executed_height));
    }
  }
  if (config.checkpoint_interval == 0 || config.max_batch_txs == 0 ||
      config.view_change_timeout == 0) {
    return Status::InvalidArgument(
        "consensus: checkpoint_interval, max_batch_txs and view_change_timeout must be > 0");
  }
  if (config.watermark_window < config.checkpoint_interval) {
    return Status::InvalidArgument("consensus: watermark_window must be >= checkpoint_interval");
  }
  if (config.order_ahead_window == 0 || config.order_ahead_window > config.watermark_window) {
    return Status::InvalidArgument(
        "consensus: order_ahead_window must be in [1, watermark_window]");
  }
  for (const auto& [height, root] : config.recent_state_roots) {
    if (height > executed_height) {
      return Status::InvalidArgument("consensus: recent state root of block " +
                                     std::to_string(height) + " is above the executed height " +
                                     std::to_string(executed_height));
    }
  }
  auto core = std::make_unique<ReplicaCore>(std::move(config), std::move(key));
  core->executed_height_ = executed_height;
  core->executed_hash_ = executed_height == 0 ? core->config_.genesis_hash : executed_block_hash;
  core->executed_state_root_ = state_root_after_executed;
  core->executed_ts_ =
      executed_height == 0 ? core->config_.genesis_time_ms : core->config_.executed_block_timestamp;
  core->delivered_height_ = executed_height;
  core->delivered_hash_ = core->executed_hash_;
  core->delivered_ts_ = core->executed_ts_;
  for (const auto& [height, root] : core->config_.recent_state_roots) {
    core->roots_[height] = root;
  }
  core->config_.recent_state_roots.clear();
  core->roots_[executed_height] = state_root_after_executed;
  core->stable_.checkpoint.height = 0;
  core->stable_.checkpoint.block_hash = core->config_.genesis_hash;
  uint64_t last = 0;
  for (CommittedBlockTxs& b : core->config_.recently_committed) {
    if (b.height <= last) continue;  // not increasing: ignore (it is only a filter)
    last = b.height;
    core->committed_.Add(b.height, std::move(b.ids));
  }
  core->config_.recently_committed.clear();
  LIC_RETURN_IF_ERROR(core->Restore(persisted));
  return std::unique_ptr<Replica>(new Replica(std::move(core)));
}

template <typename Fn>
std::vector<Effect> Replica::Step(Fn&& input) {
  if (core_->broken_) return {};
  input(*core_);
  std::vector<Effect> effects = core_->TakeEffects();
  if (Status s = core_->CheckInvariants(); !s.ok()) {
    // The state is not what the protocol allows: nothing it produced is
    // sent or persisted, and nothing more will be.
    core_->broken_ = s.message();
    return {};
  }
  return effects;
}

std::vector<Effect> Replica::Start(TimeMs now) {
  return Step([&](ReplicaCore& c) { c.Start(now); });
}

std::vector<Effect> Replica::OnMessage(InboundMessage message, TimeMs now) {
  return Step([&](ReplicaCore& c) { c.OnMessage(message, now); });
}

std::vector<Effect> Replica::OnRequest(Bytes tx, Hash id, TimeMs now) {
  return Step([&](ReplicaCore& c) {
    c.OnRequest(std::move(tx), TxInfo{id, true}, now, /*forward=*/true);
  });
}

std::vector<Effect> Replica::OnTimer(TimerId id, TimeMs now) {
  return Step([&](ReplicaCore& c) { c.OnTimer(id, now); });
}

std::vector<Effect> Replica::OnExecuted(uint64_t height, Hash block_hash, Hash state_root_after,
                                        TimeMs now) {
  return Step([&](ReplicaCore& c) { c.OnExecuted(height, block_hash, state_root_after, now); });
}

std::vector<Effect> Replica::OnFetchedStateCertificates(std::vector<CheckpointProof> certificates,
                                                        TimeMs now) {
  return Step([&](ReplicaCore& c) { c.OnFetchedStateCertificates(std::move(certificates), now); });
}

std::vector<Effect> Replica::OnFetchedBlocks(
    std::vector<std::pair<Block, CommitCertificate>> blocks, std::vector<TxInfo> txs, TimeMs now) {
  return Step([&](ReplicaCore& c) { c.OnFetchedBlocks(std::move(blocks), std::move(txs), now); });
}

uint64_t Replica::view() const { return core_->view_; }
ReplicaId Replica::primary() const { return core_->PrimaryOf(core_->view_); }
bool Replica::in_view_change() const { return core_->in_view_change_; }
const std::optional<std::string>& Replica::broken_invariant() const { return core_->broken_; }
Status Replica::CheckRestoresFrom(
    const std::vector<std::pair<std::string, Bytes>>& persisted) const {
  return core_->CheckRestoreEquality(persisted);
}
uint64_t Replica::committed_height() const { return core_->delivered_height_; }
uint64_t Replica::executed_height() const { return core_->executed_height_; }
uint64_t Replica::certified_height() const { return core_->certified_height_; }
const std::optional<std::string>& Replica::execution_halted() const {
  return core_->execution_halted_;
}
uint64_t Replica::stable_checkpoint() const { return core_->stable_.checkpoint.height; }
size_t Replica::pending_requests() const { return core_->pool_.size(); }
uint64_t Replica::view_changes() const { return core_->view_changes_; }
uint64_t Replica::refused_signatures() const { return core_->refused_signatures_; }

uint64_t Replica::dropped(DropReason reason) const {
  size_t i = static_cast<size_t>(reason);
  return i < kDropReasons ? core_->dropped_[i] : 0;
}

const char* SlotPhaseName(SlotPhase phase) {
  switch (phase) {
    case SlotPhase::kIdle:
      return "idle";
    case SlotPhase::kPrePrepared:
      return "pre-prepared";
    case SlotPhase::kRejected:
      return "rejected";
    case SlotPhase::kPrepareSent:
      return "prepare-sent";
    case SlotPhase::kCommitSent:
      return "commit-sent";
  }
  return "?";
}

const char* DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kUndecodable:
      return "undecodable";
    case DropReason::kSpoofedSender:
      return "spoofed_sender";
    case DropReason::kBadSignature:
      return "bad_signature";
    case DropReason::kStaleView:
      return "stale_view";
    case DropReason::kWrongSender:
      return "wrong_sender";
    case DropReason::kOutsideWatermarks:
      return "outside_watermarks";
    case DropReason::kConflictsWithVote:
      return "conflicts_with_vote";
    case DropReason::kDuplicate:
      return "duplicate";
    case DropReason::kEquivocation:
      return "equivocation";
    case DropReason::kBadBlockBody:
      return "bad_block_body";
    case DropReason::kInvalidProposal:
      return "invalid_proposal";
    case DropReason::kInvalidViewChange:
      return "invalid_view_change";
    case DropReason::kTooFarAhead:
      return "too_far_ahead";
    case DropReason::kInvalidRequest:
      return "invalid_request";
    case DropReason::kMempoolFull:
      return "mempool_full";
    case DropReason::kUnwanted:
      return "unwanted";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

}  // namespace licenced::consensus
