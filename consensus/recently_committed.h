// RecentlyCommitted: the ids of the transactions in the last `window`
// delivered blocks, as the replica learns them from its own deliveries.
//
// The replica uses it to keep committed transactions out of its mempool and
// out of proposals, and to refuse a proposal that repeats one, without asking
// the host's store on every request (that was a RocksDB read on the strand
// per transaction). Older transactions are not remembered: one that comes
// back later (a replayed request) can be ordered again, and the executor's
// duplicate rule, which reads the whole ledger, skips it; the client edge
// refuses such a replay before it reaches consensus.
//
// Not thread-safe (part of the replica).
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/bytes.h"

namespace licenced::consensus {

// The transactions of one committed block (ids as the replica keys them).
struct CommittedBlockTxs {
  uint64_t height = 0;
  std::vector<Hash> ids;
};

class RecentlyCommitted {
 public:
  explicit RecentlyCommitted(uint64_t window) : window_(window == 0 ? 1 : window) {}

  // REQUIRES: heights increase from call to call.
  void Add(uint64_t height, std::vector<Hash> ids) {
    for (const Hash& id : ids) ++ids_[id];
    blocks_.push_back({height, std::move(ids)});
    while (!blocks_.empty() && blocks_.front().height + window_ <= height) {
      for (const Hash& id : blocks_.front().ids) {
        auto it = ids_.find(id);
        if (it != ids_.end() && --it->second == 0) ids_.erase(it);
      }
      blocks_.pop_front();
    }
  }
  bool Contains(const Hash& id) const { return ids_.count(id) > 0; }
  size_t size() const { return ids_.size(); }
  uint64_t window() const { return window_; }

 private:
  struct IdHasher {
    size_t operator()(const Hash& h) const {
      size_t v;
      std::memcpy(&v, h.data(), sizeof(v));
      return v;
    }
  };
  uint64_t window_;
  std::deque<CommittedBlockTxs> blocks_;
  std::unordered_map<Hash, uint32_t, IdHasher> ids_;  // id -> blocks in the window holding it
};

}  // namespace licenced::consensus
