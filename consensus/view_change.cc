// View change and new view (PBFT section 4.4), with prepared certificates
// carried into the new view, joining after f+1 view-changes, and bounds that
// stop a single replica from dragging others to absurd views.
#include <algorithm>
#include <string>

#include "consensus/replica_core.h"

namespace licenced::consensus {
namespace {

// What a NewView for a set of view-changes must re-propose.
struct Plan {
  CheckpointProof checkpoint;
  std::vector<Block> blocks;  // heights checkpoint+1, checkpoint+2, ...
};

Plan ComputePlan(const std::vector<ViewChangeMsg>& vcs) {
  Plan plan;
  const ViewChangeMsg* top = nullptr;
  for (const ViewChangeMsg& vc : vcs) {
    if (top == nullptr || vc.checkpoint.height > top->checkpoint.height) top = &vc;
  }
  if (top != nullptr) plan.checkpoint = CheckpointProof{top->checkpoint, top->checkpoint_proof};
  // Highest-view prepared certificate per height above the checkpoint.
  std::map<uint64_t, std::pair<uint64_t, Block>> best;
  for (const ViewChangeMsg& vc : vcs) {
    for (const PreparedCert& c : vc.prepared) {
      auto pp = PrePrepareMsg::Decode(c.pre_prepare.body);
      if (!pp.ok()) continue;  // validated before; cannot happen
      uint64_t h = pp->block.header.height;
      if (h <= plan.checkpoint.checkpoint.height) continue;
      auto it = best.find(h);
      if (it == best.end() || pp->view > it->second.first) {
        best[h] = {pp->view, std::move(pp->block)};
      }
    }
  }
  uint64_t next = plan.checkpoint.checkpoint.height + 1;
  for (auto& [h, entry] : best) {
    if (h != next) break;  // contiguous prefix only
    plan.blocks.push_back(std::move(entry.second));
    ++next;
  }
  return plan;
}

}  // namespace

void ReplicaCore::StartViewChange(uint64_t new_view, TimeMs now) {
  if (new_view <= view_ || new_view > view_ + kMaxViewJump) return;
  view_ = new_view;
  in_view_change_ = true;
  ++view_changes_;
  PersistView();
  for (auto& [h, s] : log_) {
    if (!stale_phases_for_testing_) s.phase = SlotPhase::kIdle;
    s.my_prepare.reset();
    if (h > delivered_height_) s.my_commit.reset();
  }
  if (batch_deadline_ != 0) {
    batch_deadline_ = 0;
    Emit(CancelTimer{kTimerBatch});
  }
  ViewChangeMsg vc;
  vc.new_view = view_;
  vc.checkpoint = stable_.checkpoint;
  vc.checkpoint_proof = stable_.messages;
  for (auto it = log_.upper_bound(LowWatermark()); it != log_.end(); ++it) {
    if (!it->second.pcert) continue;
    // Digests, not bodies: the stripped pre-prepare keeps its signature.
    PreparedCert c{StripPrePrepare(it->second.pcert->pre_prepare), it->second.pcert->prepares};
    vc.prepared.push_back(std::move(c));
  }
  SignedMessage m = SignMsg(MsgType::kViewChange, vc.Encode());
  my_view_change_ = m;
  BroadcastMsg(m);
  progress_deadline_ = now + (config_.view_change_timeout << std::min<uint32_t>(backoff_, 16));
  ++backoff_;
  Emit(SetTimer{kTimerProgress, progress_deadline_});
  for (auto& [sender, q] : future_) {
    std::erase_if(q, [&](const Buffered& b) { return b.view < view_; });
  }
  MaybeSendNewView(now);
}

Status ReplicaCore::ValidatePreparedCert(const PreparedCert& c, uint64_t min_height,
                                         uint64_t below_view, uint64_t* height,
                                         Block* block) const {
  LIC_ASSIGN_OR_RETURN(PrePrepareMsg pp, PrePrepareMsg::Decode(c.pre_prepare.body));
  if (!pp.stripped()) return Status::InvalidArgument("prepared cert: carries a block body");
  if (pp.view >= below_view) return Status::InvalidArgument("prepared cert: view too high");
  if (c.pre_prepare.sender != PrimaryOf(pp.view)) {
    return Status::InvalidArgument("prepared cert: pre-prepare not from the primary");
  }
  uint64_t h = pp.block.header.height;
  if (h <= min_height || h > min_height + config_.watermark_window) {
    return Status::InvalidArgument("prepared cert: height outside the watermarks");
  }
  LIC_RETURN_IF_ERROR(VerifyMsg(c.pre_prepare));
  Bytes want = VoteMsg{pp.view, h, pp.block.ComputeHash()}.Encode();
  std::set<ReplicaId> signers;
  for (const SignedMessage& p : c.prepares) {
    if (p.body != want || p.sender == PrimaryOf(pp.view)) {
      return Status::InvalidArgument("prepared cert: prepare does not match");
    }
    if (!signers.insert(p.sender).second) {
      return Status::InvalidArgument("prepared cert: duplicate prepare");
    }
    LIC_RETURN_IF_ERROR(VerifyMsg(p));
  }
  if (signers.size() < PrepareQuorum()) return Status::InvalidArgument("prepared cert: too few");
  *height = h;
  *block = std::move(pp.block);
  return Status::Ok();
}

Status ReplicaCore::ValidateViewChange(const SignedMessage& m, ViewChangeMsg* out) const {
  LIC_ASSIGN_OR_RETURN(ViewChangeMsg vc, ViewChangeMsg::Decode(m.body));
  LIC_RETURN_IF_ERROR(VerifyCheckpointProof(vc.checkpoint, vc.checkpoint_proof));
  uint64_t last = vc.checkpoint.height;
  for (const PreparedCert& c : vc.prepared) {
    uint64_t h = 0;
    Block b;
    LIC_RETURN_IF_ERROR(ValidatePreparedCert(c, vc.checkpoint.height, vc.new_view, &h, &b));
    if (h <= last) return Status::InvalidArgument("view change: heights not ascending");
    last = h;
  }
  *out = std::move(vc);
  return Status::Ok();
}

void ReplicaCore::HandleViewChange(const SignedMessage& m, TimeMs now) {
  // Cheap checks before the expensive validation.
  Reader r(m.body);
  uint64_t v = r.U64();
  if (!r.ok()) return Drop(DropReason::kUndecodable);
  if (v < view_ || (v == view_ && !in_view_change_)) {
    // A replica behind us: show it how we got here.
    if (v == view_ && last_new_view_ &&
        (last_reply_[m.sender] == 0 || last_reply_[m.sender] + Interval() <= now)) {
      SendBytes(m.sender, *last_new_view_);
      last_reply_[m.sender] = now;
    }
    return Drop(DropReason::kStaleView);
  }
  if (v > view_ + kMaxViewJump) return Drop(DropReason::kTooFarAhead);  // absurd: never buffered
  auto existing = view_change_msgs_.find(m.sender);
  if (existing != view_change_msgs_.end() && existing->second.second.new_view >= v) {
    return Drop(DropReason::kDuplicate);
  }
  ViewChangeMsg vc;
  if (!ValidateViewChange(m, &vc).ok()) return Drop(DropReason::kInvalidViewChange);
  view_change_msgs_[m.sender] = {m, std::move(vc)};
  MaybeJoinViewChange(now);
  MaybeSendNewView(now);
}

void ReplicaCore::MaybeJoinViewChange(TimeMs now) {
  std::vector<uint64_t> views;
  for (const auto& [sender, entry] : view_change_msgs_) {
    if (entry.second.new_view > view_) views.push_back(entry.second.new_view);
  }
  size_t f = config_.validators.f();
  if (views.size() < f + 1) return;
  // The smallest view among the f+1 highest: at least one correct replica is there.
  std::sort(views.rbegin(), views.rend());
  StartViewChange(views[f], now);
}

void ReplicaCore::MaybeSendNewView(TimeMs now) {
  if (!in_view_change_ || PrimaryOf(view_) != config_.self || !my_view_change_) return;
  std::vector<SignedMessage> msgs{*my_view_change_};
  std::vector<ViewChangeMsg> vcs;
  auto mine = ViewChangeMsg::Decode(my_view_change_->body);
  if (!mine.ok()) return;
  vcs.push_back(std::move(*mine));
  for (const auto& [sender, entry] : view_change_msgs_) {
    if (msgs.size() >= config_.validators.quorum()) break;
    if (entry.second.new_view != view_) continue;
    msgs.push_back(entry.first);
    vcs.push_back(entry.second);
  }
  if (msgs.size() < config_.validators.quorum()) return;
  Plan plan = ComputePlan(vcs);
  NewViewMsg nv;
  nv.view = view_;
  nv.view_changes = std::move(msgs);
  std::vector<std::pair<SignedMessage, Block>> pps;
  for (Block& b : plan.blocks) {
    // Each re-proposal is an endorsement like any other: one the vote record
    // refuses (a height at or below our stable checkpoint, or one we already
    // endorsed differently in this view) means no NewView from us; the
    // view-change timer moves on to the next primary.
    std::optional<SignedMessage> pp = SignVote(MsgType::kPrePrepare, b.header.height,
                                               b.ComputeHash(), PrePrepareMsg{view_, b}.Encode());
    if (!pp) return;
    nv.pre_prepares.push_back(*pp);
    pps.emplace_back(std::move(*pp), std::move(b));
  }
  SignedMessage m = SignMsg(MsgType::kNewView, nv.Encode());
  InstallView(view_, m.Encode(), vcs, pps, now);
}

void ReplicaCore::HandleNewView(const SignedMessage& m, TimeMs now) {
  auto nv = NewViewMsg::Decode(m.body);
  if (!nv.ok()) return Drop(DropReason::kUndecodable);
  uint64_t v = nv->view;
  bool wanted =
      v > view_ || (v == view_ && in_view_change_) || (v == view_ && !last_new_view_ && v > 0);
  if (!wanted) return Drop(DropReason::kStaleView);
  if (v > view_ + kMaxViewJump) return Drop(DropReason::kTooFarAhead);
  if (m.sender != PrimaryOf(v)) return Drop(DropReason::kWrongSender);
  std::vector<ViewChangeMsg> vcs;
  std::set<ReplicaId> senders;
  for (const SignedMessage& s : nv->view_changes) {
    if (!VerifyMsg(s).ok() || !senders.insert(s.sender).second) {
      return Drop(DropReason::kInvalidViewChange);
    }
    ViewChangeMsg vc;
    if (!ValidateViewChange(s, &vc).ok() || vc.new_view != v) {
      return Drop(DropReason::kInvalidViewChange);
    }
    vcs.push_back(std::move(vc));
  }
  if (senders.size() < config_.validators.quorum()) return Drop(DropReason::kInvalidViewChange);
  Plan plan = ComputePlan(vcs);
  if (nv->pre_prepares.size() != plan.blocks.size()) return Drop(DropReason::kInvalidViewChange);
  std::vector<std::pair<SignedMessage, Block>> pps;
  for (size_t i = 0; i < plan.blocks.size(); ++i) {
    const SignedMessage& s = nv->pre_prepares[i];
    if (s.sender != PrimaryOf(v) || !VerifyMsg(s).ok()) return Drop(DropReason::kInvalidViewChange);
    auto pp = PrePrepareMsg::Decode(s.body);
    if (!pp.ok() || pp->view != v || !(pp->block == plan.blocks[i])) {
      return Drop(DropReason::kInvalidViewChange);
    }
    pps.emplace_back(s, std::move(pp->block));
  }
  if (v == view_ && !in_view_change_) {
    last_new_view_ = m.Encode();  // restarted replica: remember it, nothing else
    return;
  }
  InstallView(v, m.Encode(), vcs, pps, now);
}

void ReplicaCore::InstallView(uint64_t v, const Bytes& new_view_bytes,
                              const std::vector<ViewChangeMsg>& vcs,
                              const std::vector<std::pair<SignedMessage, Block>>& pps, TimeMs now) {
  if (v != view_) ++view_changes_;
  view_ = v;
  in_view_change_ = false;
  PersistView();
  for (auto& [h, s] : log_) {
    s.phase = SlotPhase::kIdle;
    s.my_prepare.reset();
    if (h > delivered_height_) s.my_commit.reset();
    std::erase_if(s.prepares, [&](const auto& e) { return e.first.first < v; });
  }
  Plan plan = ComputePlan(vcs);
  if (plan.checkpoint.checkpoint.height > LowWatermark()) {
    AdoptStableCheckpoint(std::move(plan.checkpoint), now);
  }
  last_new_view_ = new_view_bytes;
  my_view_change_.reset();
  std::erase_if(view_change_msgs_, [&](const auto& e) { return e.second.second.new_view <= v; });
  progress_deadline_ = 0;
  Emit(CancelTimer{kTimerProgress});
  pool_.ResetArrivals(now);
  bool primary = IsPrimary();
  for (const auto& [msg, header_only] : pps) {
    uint64_t h = header_only.header.height;
    if (h <= LowWatermark()) continue;
    // The NewView names the block by digest; use the body if we hold it
    // (usually: we accepted its pre-prepare or prepared it), else accept it
    // by digest and ask peers for the body (RequestMissingBodies).
    Hash digest = header_only.ComputeHash();
    const Block* known = KnownBody(h, digest);
    if (known != nullptr) {
      Block body = *known;
      SignedMessage full = msg;
      full.body = PrePrepareMsg{v, body}.Encode();  // same signature (view || header)
      AcceptPrePrepare(h, full, std::move(body), /*from_new_view=*/true, now);
    } else {
      AcceptPrePrepare(h, msg, header_only, /*from_new_view=*/true, now);
    }
  }
  RequestMissingBodies(now);
  // The primary's votes for the re-proposals are persisted (above) before
  // the NewView that carries them goes out.
  if (primary) BroadcastBytes(new_view_bytes);
  ReplayBuffered(now);
  RearmProgressTimer(now);
  MaybePropose(now);
}

void ReplicaCore::BufferFuture(const SignedMessage& m, uint64_t v, std::span<const TxInfo> txs) {
  if (v > view_ + kMaxFutureViews) return Drop(DropReason::kTooFarAhead);
  if (v < view_) return Drop(DropReason::kStaleView);
  auto& q = future_[m.sender];
  if (q.size() >= kMaxBufferedPerSender) q.pop_front();
  q.push_back(Buffered{v, m, std::vector<TxInfo>(txs.begin(), txs.end())});
}

void ReplicaCore::ReplayBuffered(TimeMs now) {
  if (in_view_change_) return;
  std::vector<Buffered> ready;
  for (auto& [sender, q] : future_) {
    for (const Buffered& b : q) {
      if (b.view == view_) ready.push_back(b);
    }
    std::erase_if(q, [&](const Buffered& b) { return b.view <= view_; });
  }
  for (const Buffered& b : ready) {
    const SignedMessage& m = b.message;
    switch (m.type) {
      case MsgType::kPrePrepare:
        HandlePrePrepare(m, b.txs, now);
        break;
      case MsgType::kPrepare:
        HandlePrepare(m, now);
        break;
      case MsgType::kCommit:
        HandleCommit(m, now);
        break;
      default:
        break;
    }
  }
}

}  // namespace licenced::consensus
