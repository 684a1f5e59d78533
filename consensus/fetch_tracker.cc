#include "consensus/fetch_tracker.h"

namespace licenced::consensus {

void FetchTracker::NotePeerHeight(ReplicaId peer, uint64_t height) {
  uint64_t& claimed = peer_heights_[peer];
  if (height > claimed) claimed = height;
}

ReplicaId FetchTracker::NextPeer(ReplicaId self, size_t n, uint64_t delivered) const {
  for (size_t k = 1; k < n; ++k) {
    auto p = static_cast<ReplicaId>((last_peer_ + k) % n);
    auto it = peer_heights_.find(p);
    if (p != self && it != peer_heights_.end() && it->second > delivered) return p;
  }
  return last_peer_;
}

}  // namespace licenced::consensus
