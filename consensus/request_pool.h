// RequestPool: the client requests a replica holds and no block it delivered
// contains yet, in arrival order (the mempool). The primary proposes from its
// front; every replica's progress timer runs from its oldest arrival; a backup
// re-forwards from it. Bounds and admission rules are the caller's
// (ReplicaCore::AddPending); this type only keeps the set and its order.
//
// Not thread-safe (owned by the replica).
#pragma once

#include <cstdint>
#include <map>

#include "consensus/block.h"  // TimeMs
#include "core/bytes.h"

namespace licenced::consensus {

class RequestPool {
 public:
  struct Request {
    Hash id{};
    Bytes tx;
    TimeMs arrival = 0;       // when it arrived (reset by a view change)
    TimeMs last_forward = 0;  // when it was last sent on to the primary
  };

  bool Contains(const Hash& id) const { return seq_of_.count(id) > 0; }
  size_t size() const { return by_seq_.size(); }
  bool empty() const { return by_seq_.empty(); }

  // Appends a request that arrived at `now`. REQUIRES: !Contains(id).
  void Add(const Hash& id, Bytes tx, TimeMs now);
  // Forgets `id` (delivered, or never to be proposed); no-op if absent.
  void Remove(const Hash& id);

  // Arrival of the oldest request. REQUIRES: !empty().
  TimeMs OldestArrival() const { return by_seq_.begin()->second.arrival; }

  // Visits the requests oldest first while `fn(request)` returns true. `fn`
  // may change a request's times, not add or remove requests.
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (auto& [seq, r] : by_seq_) {
      if (!fn(r)) return;
    }
  }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const auto& [seq, r] : by_seq_) {
      if (!fn(r)) return;
    }
  }

  // A new view: every request waits a full timeout again from `now`.
  void ResetArrivals(TimeMs now);

  // The id index and the arrival order hold the same requests (an invariant).
  bool consistent() const { return seq_of_.size() == by_seq_.size(); }

 private:
  std::map<uint64_t, Request> by_seq_;  // arrival order
  std::map<Hash, uint64_t> seq_of_;
  uint64_t next_seq_ = 0;
};

}  // namespace licenced::consensus
