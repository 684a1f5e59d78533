// State transfer: fetching committed blocks with their certificates from a
// peer when this replica is behind, verifying them before Delivering.
#include <algorithm>
#include <tuple>

#include "consensus/replica_core.h"

namespace licenced::consensus {

void ReplicaCore::MaybeFetch(ReplicaId peer, uint64_t target, TimeMs now) {
  if (peer == config_.self || peer >= config_.validators.n()) return;
  if (target <= delivered_height_) return;
  fetch_.RaiseTarget(target);
  if (fetch_.outstanding()) return;
  uint64_t from = delivered_height_ + 1;
  uint64_t to = std::min(target, from + kMaxFetchBlocks - 1);
  Emit(FetchBlocks{peer, from, to});
  fetch_.Started(peer);
  Emit(SetTimer{kTimerFetch, now + 2 * Interval()});
}

void ReplicaCore::OnFetchedBlocks(std::vector<std::pair<Block, CommitCertificate>> blocks,
                                  std::vector<TxInfo> txs, TimeMs now) {
  // The host's infos, block by block in the order given (before sorting).
  size_t total = 0;
  for (const auto& [block, cert] : blocks) total += block.txs.size();
  if (txs.size() != total) {
    Drop(DropReason::kUnwanted);
    blocks.clear();
  }
  std::vector<std::tuple<Block, CommitCertificate, std::vector<TxInfo>>> fetched;
  size_t next = 0;
  for (auto& [block, cert] : blocks) {
    const size_t n = block.txs.size();
    std::vector<TxInfo> infos(txs.begin() + static_cast<std::ptrdiff_t>(next),
                              txs.begin() + static_cast<std::ptrdiff_t>(next + n));
    next += n;
    fetched.emplace_back(std::move(block), std::move(cert), std::move(infos));
  }
  std::sort(fetched.begin(), fetched.end(), [](const auto& a, const auto& b) {
    return std::get<0>(a).header.height < std::get<0>(b).header.height;
  });
  uint64_t before = delivered_height_;
  for (auto& [block, cert, infos] : fetched) {
    uint64_t h = block.header.height;
    if (h <= delivered_height_) continue;
    // The first block that does not fit ends the answer (counted once).
    if (h != delivered_height_ + 1) {
      Drop(DropReason::kUnwanted);
      break;
    }
    Hash hash = block.ComputeHash();
    if (cert.height != h || cert.block_hash != hash || block.header.prev_hash != delivered_hash_) {
      Drop(DropReason::kUnwanted);
      break;
    }
    if (!block.CheckTxRoot().ok()) {
      Drop(DropReason::kBadBlockBody);
      break;
    }
    if (!cert.Verify(config_.validators).ok()) {
      Drop(DropReason::kBadSignature);
      break;
    }
    DeliverBlock(std::move(block), std::move(cert), &infos, now);
  }
  DeliverReady(now);
  if (delivered_height_ == before) return;  // nothing usable: the fetch timer retries elsewhere
  if (fetch_.outstanding()) {
    fetch_.Finished();
    Emit(CancelTimer{kTimerFetch});
  }
  if (fetch_.target() > delivered_height_) MaybeFetch(fetch_.last_peer(), fetch_.target(), now);
}

void ReplicaCore::OnFetchedStateCertificates(std::vector<CheckpointProof> certificates,
                                             TimeMs now) {
  (void)now;
  for (CheckpointProof& c : certificates) {
    const uint64_t h = c.checkpoint.height;
    // Only blocks committed here: the certificate is then of the block this
    // replica holds (2f+1 honest-majority votes are for the committed block).
    if (h <= LowWatermark() || h > delivered_height_ || certified_.count(h) > 0) continue;
    if (!unsafe_fetched_certificates_for_testing_ &&
        !VerifyStateCertificate(config_.validators, c).ok()) {
      Drop(DropReason::kBadSignature);
      continue;
    }
    if (c.messages.size() > config_.validators.quorum())
      c.messages.resize(config_.validators.quorum());
    TakeStateCertificate(std::move(c));
  }
}

}  // namespace licenced::consensus
