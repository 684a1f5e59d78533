// Normal case: batching, pre-prepare, prepare, commit, delivery. (Requests
// and block bodies: dissemination.cc.)
#include <algorithm>
#include <set>
#include <string>

#include "consensus/replica_core.h"
#include "core/merkle.h"

namespace licenced::consensus {

bool ReplicaCore::InFlight(const Hash& tx_id) const {
  for (auto it = log_.upper_bound(delivered_height_); it != log_.end(); ++it) {
    const Slot& s = it->second;
    if (s.has_pp() && s.pp_view == view_ && s.tx_ids.count(tx_id) > 0) return true;
  }
  return false;
}

void ReplicaCore::MaybePropose(TimeMs now) {
  if (!IsPrimary() || in_view_change_ || execution_halted_) return;
  // Block h links to the committed h-1 and carries the state after h - W:
  // propose once h-1 is committed and h - W executed.
  uint64_t next = delivered_height_ + 1;
  if (next > executed_height_ + config_.order_ahead_window) return;
  std::optional<Hash> state_root = RootAfter(HeaderStateHeight(next));
  if (!state_root) return;
  // At or below the stable checkpoint (adopted ahead of execution): those
  // heights are decided; state transfer brings them.
  if (next <= LowWatermark() || next > HighWatermark()) return;
  auto slot_it = log_.find(next);
  if (slot_it != log_.end() && slot_it->second.has_pp() && slot_it->second.pp_view == view_) return;
  auto vote = votes_.Find(next);
  if (vote && vote->view >= view_) return;  // signed one before a restart
  if (pool_.empty()) return;
  // Not full and not old enough yet: wait (without scanning the pending set).
  TimeMs first_arrival = pool_.OldestArrival();
  if (pool_.size() < config_.max_batch_txs && now < first_arrival + config_.max_batch_wait) {
    TimeMs deadline = first_arrival + config_.max_batch_wait;
    if (batch_deadline_ != deadline) {
      batch_deadline_ = deadline;
      Emit(SetTimer{kTimerBatch, deadline});
    }
    return;
  }

  // Batch: pending requests in arrival order, skipping stale ones, within
  // max_batch_txs and kMaxProposalBytes.
  std::vector<Bytes> txs;
  std::vector<TxInfo> infos;
  std::set<Hash> ids;
  std::vector<Hash> drop;
  TimeMs oldest = 0;
  size_t bytes = BlockHeader::kEncodedSize + 4;
  pool_.ForEach([&](const RequestPool::Request& p) {
    if (txs.size() >= config_.max_batch_txs) return false;
    if (committed_.Contains(p.id)) {  // it was valid when it arrived
      drop.push_back(p.id);
      return true;
    }
    if (bytes + 4 + p.tx.size() > kMaxProposalBytes) {
      if (txs.empty()) drop.push_back(p.id);  // can never fit in a block
      return false;
    }
    if (!ids.insert(p.id).second) return true;
    bytes += 4 + p.tx.size();
    if (txs.empty()) oldest = p.arrival;
    txs.push_back(p.tx);
    infos.push_back(TxInfo{p.id, true});
    return true;
  });
  for (const Hash& id : drop) pool_.Remove(id);
  if (txs.empty()) return;
  if (txs.size() < config_.max_batch_txs && bytes < kMaxProposalBytes / 2 &&
      now < oldest + config_.max_batch_wait) {
    TimeMs deadline = oldest + config_.max_batch_wait;
    if (batch_deadline_ != deadline) {
      batch_deadline_ = deadline;
      Emit(SetTimer{kTimerBatch, deadline});
    }
    return;
  }

  Block block;
  block.header.height = next;
  block.header.prev_hash = delivered_hash_;
  block.header.timestamp_ms = std::max<TimeMs>(now, delivered_ts_ + 1);
  block.header.tx_root = merkle::Root(txs);
  block.header.state_root = *state_root;
  block.header.proposer = config_.self;
  block.txs = std::move(txs);
  PrePrepareMsg pp{view_, std::move(block)};
  Hash digest = pp.block.ComputeHash();
  std::optional<SignedMessage> signed_pp =
      SignVote(MsgType::kPrePrepare, next, digest, pp.Encode());
  if (!signed_pp) return;
  SignedMessage m = std::move(*signed_pp);
  Bytes wire = m.Encode();
  LearnBody(digest, pp.block, infos);
  Slot& s = log_[next];
  s.tx_ids = std::move(ids);
  s.phase = SlotPhase::kPrepareSent;  // the pre-prepare is the primary's vote
  s.pp_view = view_;
  s.source = ProposalSource::kPrimary;
  s.block = std::move(pp.block);
  s.digest = digest;
  s.pp_msg = m;
  s.pp_received = now;
  BroadcastBytes(std::move(wire));
  RearmProgressTimer(now);
  CheckPrepared(next, now);
}

void ReplicaCore::HandlePrePrepare(const SignedMessage& m, std::span<const TxInfo> txs,
                                   TimeMs now) {
  auto pp = PrePrepareMsg::Decode(m.body);
  if (!pp.ok()) return Drop(DropReason::kUndecodable);
  if (txs.size() != pp->block.txs.size()) return Drop(DropReason::kBadBlockBody);
  uint64_t v = pp->view;
  if (v < view_) return Drop(DropReason::kStaleView);
  if (v > view_ || in_view_change_) {
    BufferFuture(m, v, txs);
    return;
  }
  if (m.sender != PrimaryOf(v)) return Drop(DropReason::kWrongSender);
  uint64_t h = pp->block.header.height;
  if (h <= LowWatermark() || h > HighWatermark()) return Drop(DropReason::kOutsideWatermarks);
  Hash digest = pp->block.ComputeHash();
  if (h <= delivered_height_) {
    // The primary still lacks our commit (retransmission): help it.
    ReplyCommit(m.sender, h);
    return;
  }
  if (votes_.Check(v, h, digest) == VoteRecord::Verdict::kConflict) {
    // We voted for another block at (v, h) (possibly before a restart).
    return Drop(DropReason::kConflictsWithVote);
  }
  auto it = log_.find(h);
  if (it != log_.end() && it->second.has_pp() && it->second.pp_view == v) {
    Slot& s = it->second;
    if (s.digest == digest && s.block.txs.empty() && !pp->stripped() &&
        pp->block.CheckTxRoot().ok()) {
      // A re-proposal we hold only by digest: the primary's full copy.
      LearnBody(digest, pp->block, txs);
      FillBody(h, pp->block);
    }
    if (s.digest == digest && s.my_prepare) SendBytes(m.sender, *s.my_prepare);
    // A retransmission, or equivocation (a second block for (v, h)): ignore.
    return Drop(s.digest == digest ? DropReason::kDuplicate : DropReason::kEquivocation);
  }
  // The signature covers only view || header: the txs must match tx_root.
  if (pp->stripped() || !pp->block.CheckTxRoot().ok()) return Drop(DropReason::kBadBlockBody);
  LearnBody(digest, pp->block, txs);
  AcceptPrePrepare(h, m, std::move(pp->block), /*from_new_view=*/false, now);
}

void ReplicaCore::AcceptPrePrepare(uint64_t h, const SignedMessage& m, Block block,
                                   bool from_new_view, TimeMs now) {
  Slot& s = log_[h];
  s.phase = SlotPhase::kPrePrepared;
  s.pp_view = view_;
  s.source = from_new_view ? ProposalSource::kNewView : ProposalSource::kPrimary;
  s.digest = block.ComputeHash();
  SetSlotTxIds(s);
  s.block = std::move(block);
  s.pp_msg = m;
  s.pp_received = now;
  s.my_prepare.reset();
  if (h > delivered_height_) s.my_commit.reset();
  RearmProgressTimer(now);
  TryPrepare(h, now);
  CheckCommitted(h, now);
}

Status ReplicaCore::ValidateProposal(const Slot& s) const {
  const BlockHeader& h = s.block.header;
  if (h.proposer != PrimaryOf(s.pp_view)) return Status::InvalidArgument("proposer is not primary");
  if (h.prev_hash != delivered_hash_) return Status::InvalidArgument("prev_hash mismatch");
  std::optional<Hash> root = RootAfter(HeaderStateHeight(h.height));
  if (!root || h.state_root != *root) return Status::InvalidArgument("state_root mismatch");
  if (h.timestamp_ms <= delivered_ts_) {
    return Status::InvalidArgument("timestamp not after previous block");
  }
  if (h.timestamp_ms > s.pp_received + config_.max_clock_skew ||
      h.timestamp_ms + config_.max_clock_skew < s.pp_received) {
    return Status::InvalidArgument("timestamp too far from local clock");
  }
  if (s.block.txs.empty() || s.block.txs.size() > kMaxBlockTxs) {
    return Status::InvalidArgument("bad tx count");
  }
  // tx_root was checked when the pre-prepare was accepted (HandlePrePrepare);
  // the host checked every tx at its edge.
  const std::vector<TxInfo>* infos = BodyTxs(s.digest);
  if (infos == nullptr || infos->size() != s.block.txs.size()) {
    return Status::InvalidArgument("transactions not checked");
  }
  std::set<Hash> ids;
  for (const TxInfo& tx : *infos) {
    if (!ids.insert(tx.id).second) return Status::InvalidArgument("duplicate tx in block");
    if (!tx.valid) return Status::InvalidArgument("invalid tx");
    if (committed_.Contains(tx.id)) return Status::AlreadyExists("tx already committed");
  }
  for (auto it = log_.upper_bound(delivered_height_); it != log_.end(); ++it) {
    const Slot& o = it->second;
    if (&o == &s || !o.has_pp() || o.pp_view != view_) continue;
    for (const Hash& id : o.tx_ids) {
      if (ids.count(id) > 0) return Status::AlreadyExists("tx already in the log");
    }
  }
  return Status::Ok();
}

void ReplicaCore::TryPrepare(uint64_t h, TimeMs now) {
  auto it = log_.find(h);
  if (it == log_.end()) return;
  Slot& s = it->second;
  if (s.phase != SlotPhase::kPrePrepared || s.pp_view != view_ || in_view_change_) return;
  if (IsPrimary()) {
    // Our own re-proposal from a NewView: the pre-prepare is our vote.
    if (!EndorseOwnPrePrepare(h, s.digest, s.pp_msg)) return;
    s.phase = SlotPhase::kPrepareSent;
    CheckPrepared(h, now);
    return;
  }
  if (h <= delivered_height_) {
    auto d = delivered_info_.find(h);
    if (d == delivered_info_.end() || d->second.first != s.digest) return;
  } else if (s.source == ProposalSource::kPrimary) {
    // Wait for h-1 to commit and h - W to execute; a replica whose
    // execution halted cannot check state roots, so it votes no more.
    if (delivered_height_ + 1 != h || h > executed_height_ + config_.order_ahead_window ||
        execution_halted_) {
      return;
    }
    if (!ValidateProposal(s).ok()) {
      s.phase = SlotPhase::kRejected;
      return Drop(DropReason::kInvalidProposal);
    }
  }
  std::optional<SignedMessage> signed_prepare =
      SignVote(MsgType::kPrepare, h, s.digest, VoteMsg{view_, h, s.digest}.Encode());
  if (!signed_prepare) return;
  SignedMessage& p = *signed_prepare;
  s.prepares[{view_, s.digest}][config_.self] = p;
  s.phase = SlotPhase::kPrepareSent;
  s.my_prepare = p.Encode();
  BroadcastBytes(*s.my_prepare);
  CheckPrepared(h, now);
}

void ReplicaCore::TryValidatePending(TimeMs now) {
  auto it = log_.find(delivered_height_ + 1);
  if (it != log_.end()) TryPrepare(it->first, now);
}

namespace {
// True if `sender` already voted in `view` for a block other than `hash`: a
// faulty replica's extra votes are dropped, which bounds the memory they take.
template <typename Votes>
bool VotedOther(const Votes& votes, uint64_t view, const Hash& hash, ReplicaId sender) {
  for (auto it = votes.lower_bound({view, Hash{}}); it != votes.end() && it->first.first == view;
       ++it) {
    if (it->first.second != hash && it->second.count(sender) > 0) return true;
  }
  return false;
}
}  // namespace

void ReplicaCore::HandlePrepare(const SignedMessage& m, TimeMs now) {
  auto v = VoteMsg::Decode(m.body);
  if (!v.ok()) return Drop(DropReason::kUndecodable);
  if (v->view < view_) return Drop(DropReason::kStaleView);
  if (v->view > view_ || in_view_change_) {
    BufferFuture(m, v->view);
    return;
  }
  if (m.sender == PrimaryOf(v->view))
    return Drop(DropReason::kWrongSender);  // the primary does not prepare
  uint64_t h = v->height;
  if (h <= LowWatermark() || h > HighWatermark()) return Drop(DropReason::kOutsideWatermarks);
  if (h <= delivered_height_) ReplyCommit(m.sender, h);  // it may lack our commit
  Slot& s = log_[h];
  if (VotedOther(s.prepares, v->view, v->block_hash, m.sender)) {
    return Drop(DropReason::kEquivocation);  // first vote wins
  }
  auto& set = s.prepares[{v->view, v->block_hash}];
  if (set.count(m.sender) > 0) return Drop(DropReason::kDuplicate);
  set[m.sender] = m;
  CheckPrepared(h, now);
}

void ReplicaCore::CheckPrepared(uint64_t h, TimeMs now) {
  auto it = log_.find(h);
  if (it == log_.end()) return;
  Slot& s = it->second;
  if (s.phase != SlotPhase::kPrepareSent || s.pp_view != view_ || in_view_change_) return;
  auto votes = s.prepares.find({view_, s.digest});
  std::vector<SignedMessage> prepares;
  if (votes != s.prepares.end()) {
    for (const auto& [id, msg] : votes->second) {
      if (id != PrimaryOf(view_)) prepares.push_back(msg);
    }
  }
  if (prepares.size() < PrepareQuorum()) return;
  std::optional<SignedMessage> c =
      SignVote(MsgType::kCommit, h, s.digest, VoteMsg{view_, h, s.digest}.Encode());
  if (!c) return;
  prepares.resize(PrepareQuorum());
  s.phase = SlotPhase::kCommitSent;
  PreparedCert cert{s.pp_msg, std::move(prepares)};
  // Persist the prepared certificate before the commit that depends on it.
  if (!unpersisted_prepared_for_testing_) Emit(Persist{PreparedKey(h), cert.Encode()});
  persisted_heights_.insert(h);
  s.pcert = std::move(cert);
  s.pcert_view = view_;
  s.pcert_block = s.block;
  s.commits[{view_, s.digest}][config_.self] = c->signature;
  s.my_commit = c->Encode();
  s.commit_replied.clear();
  BroadcastBytes(*s.my_commit);
  CheckCommitted(h, now);
}

void ReplicaCore::HandleCommit(const SignedMessage& m, TimeMs now) {
  auto v = VoteMsg::Decode(m.body);
  if (!v.ok()) return Drop(DropReason::kUndecodable);
  if (v->view > view_ || (v->view == view_ && in_view_change_)) {
    BufferFuture(m, v->view);
    return;
  }
  uint64_t h = v->height;
  if (h <= LowWatermark() || h > HighWatermark()) return Drop(DropReason::kOutsideWatermarks);
  Slot& s = log_[h];
  if (VotedOther(s.commits, v->view, v->block_hash, m.sender)) {
    return Drop(DropReason::kEquivocation);  // first vote wins
  }
  auto& set = s.commits[{v->view, v->block_hash}];
  bool is_new = set.emplace(m.sender, m.signature).second;
  if (h <= delivered_height_) {
    // The sender still collects commits for a block we committed: help it
    // (once per peer and height, so two committed replicas never ping-pong).
    ReplyCommit(m.sender, h);
    return;
  }
  if (is_new) CheckCommitted(h, now);
}

void ReplicaCore::ReplyCommit(ReplicaId to, uint64_t h) {
  auto it = log_.find(h);
  if (it == log_.end() || !it->second.my_commit) return;
  if (!it->second.commit_replied.insert(to).second) return;
  SendBytes(to, *it->second.my_commit);
}

void ReplicaCore::CheckCommitted(uint64_t h, TimeMs now) {
  auto it = log_.find(h);
  if (it == log_.end()) return;
  Slot& s = it->second;
  if (s.cert || h <= delivered_height_) return;
  for (const auto& [key, sigs] : s.commits) {
    if (sigs.size() < CommitQuorum()) continue;
    const Block* block = KnownBody(h, key.second);
    // Certificate without the block: RequestMissingBodies asks peers for it
    // (re-proposals), state transfer fetches it otherwise.
    if (block == nullptr) continue;
    CommitCertificate cert;
    cert.view = key.first;
    cert.height = h;
    cert.block_hash = key.second;
    for (const auto& [id, sig] : sigs) cert.signatures.emplace_back(id, sig);
    s.cert_block = *block;
    s.cert = std::move(cert);
    break;
  }
  if (s.cert) DeliverReady(now);
}

void ReplicaCore::DeliverReady(TimeMs now) {
  const uint64_t before = delivered_height_;
  while (true) {
    auto it = log_.find(delivered_height_ + 1);
    if (it == log_.end() || !it->second.cert) break;
    Slot& s = it->second;
    if (s.cert_block.header.prev_hash != delivered_hash_) break;  // cannot happen if safe
    DeliverBlock(s.cert_block, *s.cert, BodyTxs(s.cert->block_hash), now);
  }
  if (delivered_height_ == before) return;
  // Ordering does not wait for execution (within the window): the next
  // height may be proposed or voted on now.
  TryValidatePending(now);
  MaybePropose(now);
}

void ReplicaCore::DeliverBlock(Block block, CommitCertificate cert, const std::vector<TxInfo>* txs,
                               TimeMs now) {
  uint64_t h = block.header.height;
  Hash hash = block.ComputeHash();
  std::vector<Hash> ids;
  if (txs != nullptr) {
    ids.reserve(txs->size());
    for (const TxInfo& t : *txs) ids.push_back(t.id);
  }
  for (const Hash& id : ids) pool_.Remove(id);
  committed_.Add(h, std::move(ids));
  delivered_height_ = h;
  delivered_hash_ = hash;
  delivered_ts_ = block.header.timestamp_ms;
  delivered_info_[h] = {hash, block.header.timestamp_ms};
  // The committed header certifies the state after h - W.
  const uint64_t state_height = HeaderStateHeight(h);
  if (state_height <= executed_height_) {
    CheckAgainstCertified(state_height, block.header.state_root, "the committed header");
  } else if (header_roots_ahead_.size() < kMaxAheadStateChecks) {
    header_roots_ahead_[state_height] = block.header.state_root;
  }
  if (h > LowWatermark()) {
    Slot& s = log_[h];
    s.cert.reset();
    s.cert_block = Block();
  }
  Emit(Deliver{std::move(block), std::move(cert)});
  backoff_ = 0;  // progress: the view-change timeout starts from the base again
  last_progress_ = now;
  RearmProgressTimer(now);
}

void ReplicaCore::OnExecuted(uint64_t height, const Hash& block_hash, const Hash& state_root,
                             TimeMs now) {
  if (height != executed_height_ + 1 || height > delivered_height_ || execution_halted_) return;
  executed_height_ = height;
  executed_hash_ = block_hash;
  last_progress_ = now;  // a full window waits for this execution
  executed_state_root_ = state_root;
  roots_[height] = state_root;
  auto info = delivered_info_.find(height);
  if (info != delivered_info_.end()) executed_ts_ = info->second.second;
  // What was certified before this replica got here.
  if (auto c = certified_ahead_.find(height); c != certified_ahead_.end()) {
    Hash certified = c->second;
    certified_ahead_.erase(c);
    CheckAgainstCertified(height, certified, "the state certificate");
  }
  if (auto c = header_roots_ahead_.find(height); c != header_roots_ahead_.end()) {
    Hash certified = c->second;
    header_roots_ahead_.erase(c);
    CheckAgainstCertified(height, certified, "the committed header");
  }
  if (execution_halted_) return;
  SendStateVote(height, block_hash, state_root, now);
  TryValidatePending(now);
  MaybePropose(now);
  RearmProgressTimer(now);
}

void ReplicaCore::RearmProgressTimer(TimeMs now) {
  if (in_view_change_) return;  // the view-change timer owns kTimerProgress
  TimeMs oldest = 0;
  bool any = false;
  if (!pool_.empty()) {
    oldest = pool_.OldestArrival();
    any = true;
  }
  for (auto it = log_.upper_bound(delivered_height_); it != log_.end(); ++it) {
    const Slot& s = it->second;
    if (s.has_pp() && s.pp_view == view_ && (!any || s.pp_received < oldest)) {
      oldest = s.pp_received;
      any = true;
    }
  }
  if (!any) {
    if (progress_deadline_ != 0) Emit(CancelTimer{kTimerProgress});
    progress_deadline_ = 0;
    return;
  }
  (void)now;
  // As in PBFT, the request timer restarts when a block commits or executes:
  // a backlog the primary is working through is progress, not a fault (timing
  // from the oldest arrival alone made backups change view after nearly every
  // block under overload). The oldest request's total wait stays bounded, so a
  // primary that commits others but starves one request is still replaced.
  const TimeMs timeout = config_.view_change_timeout << std::min<uint32_t>(backoff_, 16);
  const TimeMs deadline = std::min(std::max(oldest, last_progress_) + timeout,
                                   oldest + kMaxRequestWaitTimeouts * timeout);
  if (deadline != progress_deadline_) {
    progress_deadline_ = deadline;
    Emit(SetTimer{kTimerProgress, deadline});
  }
}

VoteRecord::Verdict ReplicaCore::EndorsementVerdict(uint64_t h, const Hash& digest) const {
  // A delivered height is endorsed only for the block delivered there.
  auto d = delivered_info_.find(h);
  if (d != delivered_info_.end() && d->second.first != digest)
    return VoteRecord::Verdict::kConflict;
  if (h <= delivered_height_ && d == delivered_info_.end()) return VoteRecord::Verdict::kBelowFloor;
  return votes_.Check(view_, h, digest);
}

void ReplicaCore::RecordEndorsement(uint64_t h, const Hash& digest, const Bytes& pp_wire) {
  votes_.Record(view_, h, digest);
  Writer w;
  w.U64(view_).Raw(digest).Var(pp_wire);
  Emit(Persist{VoteKey(h), w.Take()});
  persisted_heights_.insert(h);
}

std::optional<SignedMessage> ReplicaCore::SignVote(MsgType type, uint64_t h, const Hash& digest,
                                                   Bytes body) {
  VoteRecord::Verdict verdict = EndorsementVerdict(h, digest);
  if (verdict != VoteRecord::Verdict::kNew && verdict != VoteRecord::Verdict::kSame) {
    ++refused_signatures_;
    return std::nullopt;
  }
  SignedMessage m = SignMsg(type, std::move(body));
  // The primary's record keeps its pre-prepare, so that a restart
  // retransmits it rather than proposing another block (persistence.cc).
  if (verdict == VoteRecord::Verdict::kNew) {
    RecordEndorsement(h, digest, type == MsgType::kPrePrepare ? m.Encode() : Bytes{});
  }
  return m;
}

bool ReplicaCore::EndorseOwnPrePrepare(uint64_t h, const Hash& digest, const SignedMessage& pp) {
  VoteRecord::Verdict verdict = EndorsementVerdict(h, digest);
  if (verdict == VoteRecord::Verdict::kNew) RecordEndorsement(h, digest, pp.Encode());
  return verdict == VoteRecord::Verdict::kNew || verdict == VoteRecord::Verdict::kSame;
}

}  // namespace licenced::consensus
