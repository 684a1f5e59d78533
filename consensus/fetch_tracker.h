// FetchTracker: what state transfer knows and decides. The heights peers claim
// to hold (from Status and Checkpoint messages), the height to reach, whether
// a FetchBlocks is outstanding and whom it went to, and which peer to ask
// after a fetch timed out: round robin over the peers that claimed to be
// ahead, so that faulty peers answering garbage cannot starve the replica.
//
// Not thread-safe (owned by the replica).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "consensus/block.h"  // ReplicaId

namespace licenced::consensus {

class FetchTracker {
 public:
  // `peer` claims blocks up to `height` (the highest claim is kept).
  void NotePeerHeight(ReplicaId peer, uint64_t height);
  // The target only grows.
  void RaiseTarget(uint64_t height) {
    if (height > target_) target_ = height;
  }

  uint64_t target() const { return target_; }
  bool outstanding() const { return outstanding_; }
  ReplicaId last_peer() const { return last_peer_; }

  void Started(ReplicaId peer) {
    outstanding_ = true;
    last_peer_ = peer;
  }
  void Finished() { outstanding_ = false; }

  // The first peer after last_peer() (round robin over `n`, never `self`)
  // that claimed a height above `delivered`; last_peer() if none did.
  ReplicaId NextPeer(ReplicaId self, size_t n, uint64_t delivered) const;

 private:
  std::map<ReplicaId, uint64_t> peer_heights_;
  uint64_t target_ = 0;
  bool outstanding_ = false;
  ReplicaId last_peer_ = 0;
};

}  // namespace licenced::consensus
