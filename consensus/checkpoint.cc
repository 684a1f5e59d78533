// Checkpoints, watermarks, garbage collection, and the status / retransmission tick.
#include <algorithm>
#include <string>

#include "consensus/replica_core.h"

namespace licenced::consensus {

void ReplicaCore::HandleCheckpoint(const SignedMessage& m, TimeMs now) {
  auto ck = CheckpointMsg::Decode(m.body);
  if (!ck.ok()) return Drop(DropReason::kUndecodable);
  uint64_t h = ck->height;
  if (h <= LowWatermark()) return Drop(DropReason::kOutsideWatermarks);
  fetch_.NotePeerHeight(m.sender, h);
  if (h > LowWatermark() + 2 * config_.watermark_window) {
    return Drop(DropReason::kTooFarAhead);  // far ahead: Status fetches
  }
  if (certified_.count(h) > 0 && h % config_.checkpoint_interval != 0) {
    return Drop(DropReason::kDuplicate);  // certified already
  }
  auto& by_sender = checkpoints_[h];
  if (by_sender.count(m.sender) > 0) return Drop(DropReason::kDuplicate);
  by_sender.emplace(m.sender, m);
  MaybeCertify(h, now);
}

void ReplicaCore::SendStateVote(uint64_t h, const Hash& block_hash, const Hash& root, TimeMs now) {
  SignedMessage m = SignMsg(MsgType::kCheckpoint, CheckpointMsg{h, block_hash, root}.Encode());
  my_state_vote_ = m;
  if (h % config_.checkpoint_interval == 0) my_checkpoint_ = m;
  BroadcastMsg(m);
  if (h <= LowWatermark()) return;  // adopted a stable checkpoint ahead of execution
  checkpoints_[h][config_.self] = std::move(m);
  MaybeCertify(h, now);
}

void ReplicaCore::MaybeCertify(uint64_t h, TimeMs now) {
  auto it = checkpoints_.find(h);
  if (it == checkpoints_.end() || h <= LowWatermark()) return;
  const size_t quorum = unsafe_state_quorum_for_testing_ ? 1 : config_.validators.quorum();
  if (certified_.count(h) == 0) {
    std::map<Bytes, std::vector<SignedMessage>> groups;  // by body (height, hash, root)
    for (const auto& [id, m] : it->second) groups[m.body].push_back(m);
    for (auto& [body, msgs] : groups) {
      if (msgs.size() < quorum) continue;
      auto ck = CheckpointMsg::Decode(body);
      if (!ck.ok()) continue;
      msgs.resize(quorum);
      TakeStateCertificate(CheckpointProof{*ck, std::move(msgs)});
      break;
    }
  }
  if (certified_.count(h) == 0) return;
  if (h % config_.checkpoint_interval == 0) {
    MaybeStable(h, now);
  } else {
    checkpoints_.erase(h);  // only checkpoint heights need their votes again
  }
}

void ReplicaCore::TakeStateCertificate(CheckpointProof certificate) {
  const uint64_t h = certificate.checkpoint.height;
  certified_.insert(h);
  certified_height_ = std::max(certified_height_, h);
  if (h <= executed_height_) {
    CheckAgainstCertified(h, certificate.checkpoint.state_root, "the state certificate");
  } else {
    certified_ahead_[h] = certificate.checkpoint.state_root;
  }
  Emit(Certified{std::move(certificate)});
}

std::optional<Hash> ReplicaCore::RootAfter(uint64_t h) const {
  auto it = roots_.find(h);
  if (it == roots_.end()) return std::nullopt;
  return it->second;
}

void ReplicaCore::CheckAgainstCertified(uint64_t h, const Hash& certified, const char* source) {
  std::optional<Hash> mine = RootAfter(h);
  if (!mine || *mine == certified || execution_halted_) return;
  HaltExecutionAt(h, std::string("the state after block ") + std::to_string(h) + " differs from " +
                         source + ": this replica has " + ToHex(*mine).substr(0, 16) +
                         ", certified " + ToHex(certified).substr(0, 16));
}

void ReplicaCore::HaltExecutionAt(uint64_t h, std::string reason) {
  execution_halted_ = reason;
  my_state_vote_.reset();
  Emit(HaltExecution{h, std::move(reason)});
}

void ReplicaCore::MaybeStable(uint64_t h, TimeMs now) {
  auto it = checkpoints_.find(h);
  if (it == checkpoints_.end() || h <= LowWatermark()) return;
  std::map<Bytes, std::vector<SignedMessage>> groups;  // by body (height, hash, root)
  for (const auto& [id, m] : it->second) groups[m.body].push_back(m);
  for (auto& [body, msgs] : groups) {
    if (msgs.size() < config_.validators.quorum()) continue;
    auto ck = CheckpointMsg::Decode(body);
    if (!ck.ok()) continue;
    msgs.resize(config_.validators.quorum());
    AdoptStableCheckpoint(CheckpointProof{*ck, std::move(msgs)}, now);
    return;
  }
}

Status ReplicaCore::VerifyCheckpointProof(const CheckpointMsg& ck,
                                          const std::vector<SignedMessage>& msgs) const {
  if (ck.height == 0) {
    if (!msgs.empty()) return Status::InvalidArgument("genesis checkpoint carries a proof");
    return Status::Ok();
  }
  if (ck.height % config_.checkpoint_interval != 0) {
    return Status::InvalidArgument("checkpoint height not a multiple of the interval");
  }
  // A stable checkpoint is the state certificate of its height. The votes'
  // signatures were checked with the message that carries them (VerifyMsg).
  const SignatureVerifier checked = [](const crypto::PublicKey&, std::string_view, ByteView,
                                       const crypto::Signature&) { return true; };
  return VerifyStateCertificate(config_.validators, CheckpointProof{ck, msgs}, checked);
}

void ReplicaCore::AdoptStableCheckpoint(CheckpointProof proof, TimeMs now) {
  uint64_t h = proof.checkpoint.height;
  if (h <= LowWatermark()) return;
  Emit(Persist{std::string(kKeyCheckpoint), proof.Encode()});
  ReplicaId signer = config_.self;
  for (const SignedMessage& m : proof.messages) {
    if (m.sender != config_.self) signer = m.sender;
  }
  stable_ = std::move(proof);
  GarbageCollect(h);
  if (h > delivered_height_ && signer != config_.self) MaybeFetch(signer, h, now);
  MaybePropose(now);
}

void ReplicaCore::GarbageCollect(uint64_t upto) {
  log_.erase(log_.begin(), log_.upper_bound(upto));
  checkpoints_.erase(checkpoints_.begin(), checkpoints_.upper_bound(upto));
  certified_.erase(certified_.begin(), certified_.upper_bound(upto));
  certified_ahead_.erase(certified_ahead_.begin(), certified_ahead_.upper_bound(upto));
  // Own roots: keep what a proposal within the window, or a late
  // certificate above the checkpoint, may still ask about.
  const uint64_t floor = std::min(upto, HeaderStateHeight(executed_height_ + 1));
  roots_.erase(roots_.begin(), roots_.lower_bound(floor));
  // The vote record forgets below the stable checkpoint and refuses to sign
  // there from now on: the checkpoint (persisted above) may be ahead of what
  // this replica executed, and its own pre-prepares and votes up to it are
  // erased with the log.
  votes_.Forget(upto);
  // Keep the hash of the checkpoint block itself (linkage of the next block).
  delivered_info_.erase(delivered_info_.begin(), delivered_info_.lower_bound(upto));
  auto end = persisted_heights_.upper_bound(upto);
  for (auto it = persisted_heights_.begin(); it != end; ++it) {
    Emit(Persist{VoteKey(*it), {}});
    Emit(Persist{PreparedKey(*it), {}});
  }
  persisted_heights_.erase(persisted_heights_.begin(), end);
  std::erase_if(body_replied_, [&](const auto& e) { return e.first.second <= upto; });
  // Tx infos of the bodies the log still holds only.
  std::set<Hash> held;
  for (const auto& [h, s] : log_) {
    if (s.has_pp()) held.insert(s.digest);
    if (s.pcert) held.insert(s.pcert_block.ComputeHash());
    if (s.cert) held.insert(s.cert->block_hash);
  }
  std::erase_if(body_txs_, [&](const auto& e) { return held.count(e.first) == 0; });
}

void ReplicaCore::HandleStatus(const SignedMessage& m, TimeMs now) {
  auto st = StatusMsg::Decode(m.body);
  if (!st.ok()) return Drop(DropReason::kUndecodable);
  fetch_.NotePeerHeight(m.sender, st->executed_height);
  bool may_reply = last_reply_[m.sender] + Interval() <= now || last_reply_[m.sender] == 0;
  bool peer_behind_view =
      st->view < view_ || (st->view == view_ && st->in_view_change && !in_view_change_);
  if (peer_behind_view && !in_view_change_ && last_new_view_ && may_reply) {
    SendBytes(m.sender, *last_new_view_);
    last_reply_[m.sender] = now;
    may_reply = false;
  }
  if (st->executed_height > delivered_height_ && (st->executed_height > delivered_height_ + 1 ||
                                                  delivered_height_ == delivered_at_last_tick_)) {
    MaybeFetch(m.sender, st->executed_height, now);
  }
  if (st->executed_height < executed_height_ && may_reply) {
    StatusMsg mine{view_, in_view_change_, executed_height_, LowWatermark()};
    Send(m.sender, SignMsg(MsgType::kStatus, mine.Encode()));
    last_reply_[m.sender] = now;
  }
}

void ReplicaCore::Tick(TimeMs now) {
  bool unfinished = false;
  for (auto it = log_.upper_bound(delivered_height_); it != log_.end(); ++it) {
    if (it->second.has_pp() || it->second.cert) unfinished = true;
  }
  bool ckpt_unstable = my_checkpoint_ && CheckpointMsg::Decode(my_checkpoint_->body).ok() &&
                       CheckpointMsg::Decode(my_checkpoint_->body)->height > LowWatermark();
  bool active =
      !pool_.empty() || in_view_change_ || unfinished || fetch_.outstanding() || ckpt_unstable;
  // Idle replicas still announce themselves now and then, so that one that
  // silently fell behind (or restarted) learns it from the replies.
  ++ticks_;
  if (active || ticks_ % kIdleStatusTicks == 0) {
    StatusMsg st{view_, in_view_change_, executed_height_, LowWatermark()};
    BroadcastMsg(SignMsg(MsgType::kStatus, st.Encode()));
  }
  if (in_view_change_) {
    if (my_view_change_) BroadcastMsg(*my_view_change_);
  } else {
    for (auto it = log_.upper_bound(delivered_height_); it != log_.end(); ++it) {
      Slot& s = it->second;
      if (!s.has_pp() || s.pp_view != view_) continue;
      if (IsPrimary()) {
        BroadcastMsg(s.pp_msg);
      } else if (s.my_prepare && !s.prepared()) {
        BroadcastBytes(*s.my_prepare);
      }
      if (s.my_commit) BroadcastBytes(*s.my_commit);
    }
    RequestMissingBodies(now);
    if (!IsPrimary()) {
      // Re-forward requests still pending to the primary: one RequestBatch.
      RequestBatchMsg batch;
      size_t bytes = 4;
      pool_.ForEach([&](RequestPool::Request& p) {
        if (batch.txs.size() >= kMaxResendRequests) return false;
        if (p.last_forward + Interval() > now) return true;
        if (bytes + 4 + p.tx.size() > kMaxRequestBatchBytes) return false;
        p.last_forward = now;
        bytes += 4 + p.tx.size();
        batch.txs.push_back(p.tx);
        return true;
      });
      if (!batch.txs.empty()) {
        Send(PrimaryOf(view_), SignMsg(MsgType::kRequestBatch, batch.Encode()));
      }
    }
  }
  if (ckpt_unstable) BroadcastMsg(*my_checkpoint_);
  // The latest state vote: every tick until its height is certified here,
  // then with the idle status, for a peer that was away when it was sent
  // (earlier votes are not resent: a lost vote costs that height its
  // certificate only, the latest height's certificate proves a later state).
  if (my_state_vote_ && !(ckpt_unstable && my_state_vote_ == my_checkpoint_)) {
    auto ck = CheckpointMsg::Decode(my_state_vote_->body);
    if (ck.ok() && ((ck->height > LowWatermark() && certified_.count(ck->height) == 0) ||
                    ticks_ % kIdleStatusTicks == 0)) {
      BroadcastMsg(*my_state_vote_);
    }
  }
  delivered_at_last_tick_ = delivered_height_;
}

}  // namespace licenced::consensus
