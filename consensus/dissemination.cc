// Request dissemination (client requests buffered and broadcast as signed
// RequestBatch messages) and block bodies (BlockRequest / BlockResponse for
// re-proposals that a NewView carries by digest only).
#include <algorithm>
#include <string>

#include "consensus/replica_core.h"

namespace licenced::consensus {
namespace {

size_t BatchTxLimit(const ReplicaConfig& c) {
  return std::clamp<size_t>(c.max_request_batch_txs, 1, kMaxRequestBatchTxs);
}

size_t BatchByteLimit(const ReplicaConfig& c) {
  return std::clamp<size_t>(c.max_request_batch_bytes, 64, kMaxRequestBatchBytes);
}

}  // namespace

bool ReplicaCore::AddPending(Bytes tx, const TxInfo& info, TimeMs now, bool forward) {
  const Hash& id = info.id;
  if (pool_.Contains(id)) {
    Drop(DropReason::kDuplicate);
    return false;
  }
  if (pool_.size() >= config_.max_pending_requests) {
    Drop(DropReason::kMempoolFull);
    return false;
  }
  if (!info.valid || committed_.Contains(id)) {
    Drop(DropReason::kInvalidRequest);
    return false;
  }
  if (InFlight(id)) {
    Drop(DropReason::kDuplicate);
    return false;
  }
  if (forward) {
    // Every replica learns the request (batched), so that every correct
    // replica's request timer runs if the primary does not order it.
    size_t cost = 4 + tx.size();
    if (!outbox_.empty() && outbox_bytes_ + cost > BatchByteLimit(config_)) FlushRequests();
    if (4 + cost <= BatchByteLimit(config_)) {  // a larger tx is never broadcast alone
      outbox_.push_back(tx);
      outbox_bytes_ += cost;
      if (outbox_.size() >= BatchTxLimit(config_)) {
        FlushRequests();
      } else if (flush_deadline_ == 0) {
        TimeMs wait =
            config_.request_flush_wait > 0 ? config_.request_flush_wait : config_.max_batch_wait;
        flush_deadline_ = now + wait;
        Emit(SetTimer{kTimerRequestFlush, flush_deadline_});
      }
    }
  }
  pool_.Add(id, std::move(tx), now);
  return true;
}

void ReplicaCore::OnRequest(Bytes tx, const TxInfo& info, TimeMs now, bool forward) {
  if (!AddPending(std::move(tx), info, now, forward)) return;
  RearmProgressTimer(now);
  MaybePropose(now);
}

void ReplicaCore::FlushRequests() {
  if (flush_deadline_ != 0) {
    flush_deadline_ = 0;
    Emit(CancelTimer{kTimerRequestFlush});
  }
  if (outbox_.empty()) return;
  RequestBatchMsg batch{std::move(outbox_)};
  outbox_.clear();
  outbox_bytes_ = 0;
  BroadcastMsg(SignMsg(MsgType::kRequestBatch, batch.Encode()));
}

void ReplicaCore::HandleRequest(const SignedMessage& m, std::span<const TxInfo> txs, TimeMs now) {
  auto req = RequestMsg::Decode(m.body);
  if (!req.ok()) return Drop(DropReason::kUndecodable);
  if (txs.size() != 1) return Drop(DropReason::kInvalidRequest);  // the host did not look at it
  OnRequest(std::move(req->tx), txs[0], now, /*forward=*/false);
}

void ReplicaCore::HandleRequestBatch(const SignedMessage& m, std::span<const TxInfo> txs,
                                     TimeMs now) {
  auto batch = RequestBatchMsg::Decode(m.body);  // rejects oversize batches
  if (!batch.ok()) return Drop(DropReason::kUndecodable);
  if (txs.size() != batch->txs.size()) return Drop(DropReason::kInvalidRequest);
  bool any = false;
  for (size_t i = 0; i < txs.size(); ++i) {
    any |= AddPending(std::move(batch->txs[i]), txs[i], now, /*forward=*/false);
  }
  if (!any) return;
  RearmProgressTimer(now);
  MaybePropose(now);
}

const Block* ReplicaCore::KnownBody(uint64_t h, const Hash& digest) const {
  auto it = log_.find(h);
  if (it == log_.end()) return nullptr;
  const Slot& s = it->second;
  if (!s.block.txs.empty() && s.digest == digest) return &s.block;
  if (s.pcert && !s.pcert_block.txs.empty() && s.pcert_block.ComputeHash() == digest) {
    return &s.pcert_block;
  }
  if (s.cert && !s.cert_block.txs.empty() && s.cert->block_hash == digest) return &s.cert_block;
  return nullptr;
}

bool ReplicaCore::FillBody(uint64_t h, const Block& block) {
  // REQUIRES (callers): block.CheckTxRoot() ok and txs non-empty.
  auto it = log_.find(h);
  if (it == log_.end() || block.txs.empty()) return false;
  Slot& s = it->second;
  Hash hash = block.ComputeHash();
  bool filled = false;
  if (s.block.txs.empty() && s.digest == hash && s.block.header == block.header) {
    s.block = block;
    SetSlotTxIds(s);
    if (s.has_pp() && !s.pp_msg.body.empty()) {
      // Carry the body in our copy of the pre-prepare (same signature).
      s.pp_msg.body = PrePrepareMsg{s.pp_view, s.block}.Encode();
    }
    filled = true;
  }
  if (s.pcert && s.pcert_block.txs.empty() && s.pcert_block.ComputeHash() == hash) {
    s.pcert_block = block;
    filled = true;
  }
  return filled;
}

void ReplicaCore::RequestMissingBodies(TimeMs now) {
  for (auto it = log_.upper_bound(delivered_height_); it != log_.end(); ++it) {
    Slot& s = it->second;
    if (!s.has_pp() || s.pp_view != view_ || !s.block.txs.empty()) continue;
    if (KnownBody(it->first, s.digest) != nullptr) {
      FillBody(it->first, *KnownBody(it->first, s.digest));
      continue;
    }
    if (s.body_requested != 0 && s.body_requested + Interval() > now) continue;
    s.body_requested = now;
    BroadcastMsg(SignMsg(MsgType::kBlockRequest, BlockRequestMsg{it->first, s.digest}.Encode()));
  }
}

void ReplicaCore::HandleBlockRequest(const SignedMessage& m, TimeMs now) {
  auto req = BlockRequestMsg::Decode(m.body);
  if (!req.ok()) return Drop(DropReason::kUndecodable);
  if (req->height <= LowWatermark() || req->height > HighWatermark()) {
    return Drop(DropReason::kOutsideWatermarks);
  }
  const Block* body = KnownBody(req->height, req->block_hash);
  if (body == nullptr) return Drop(DropReason::kUnwanted);  // a body we do not have
  // At most one answer per peer and height per status interval: a faulty
  // peer cannot make us send the same large block in a loop.
  TimeMs& last = body_replied_[{m.sender, req->height}];
  if (last != 0 && last + Interval() > now) return Drop(DropReason::kDuplicate);
  last = now;
  Send(m.sender, SignMsg(MsgType::kBlockResponse, BlockResponseMsg{*body}.Encode()));
}

void ReplicaCore::HandleBlockResponse(const SignedMessage& m, std::span<const TxInfo> txs,
                                      TimeMs now) {
  auto resp = BlockResponseMsg::Decode(m.body);
  if (!resp.ok()) return Drop(DropReason::kUndecodable);
  Block& block = resp->block;
  uint64_t h = block.header.height;
  if (h <= delivered_height_ || h > HighWatermark() || block.txs.empty()) {
    return Drop(DropReason::kUnwanted);
  }
  auto it = log_.find(h);
  if (it == log_.end()) return Drop(DropReason::kUnwanted);
  // Only a body we are missing, and only if it matches the digest we hold
  // (any replica may answer: the digest authenticates the body).
  Hash hash = block.ComputeHash();
  const Slot& s = it->second;
  bool wanted = (s.block.txs.empty() && s.digest == hash) ||
                (s.pcert && s.pcert_block.txs.empty() && s.pcert_block.ComputeHash() == hash);
  if (!wanted) return Drop(DropReason::kUnwanted);
  if (!block.CheckTxRoot().ok()) return Drop(DropReason::kBadBlockBody);
  if (!LearnBody(hash, block, txs)) return Drop(DropReason::kBadBlockBody);
  if (!FillBody(h, block)) return Drop(DropReason::kUnwanted);
  TryPrepare(h, now);
  CheckCommitted(h, now);
  DeliverReady(now);
}

}  // namespace licenced::consensus
