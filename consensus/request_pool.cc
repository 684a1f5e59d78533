#include "consensus/request_pool.h"

#include <utility>

namespace licenced::consensus {

void RequestPool::Add(const Hash& id, Bytes tx, TimeMs now) {
  const uint64_t seq = next_seq_++;
  seq_of_.emplace(id, seq);
  by_seq_.emplace(seq, Request{id, std::move(tx), now, now});
}

void RequestPool::Remove(const Hash& id) {
  auto it = seq_of_.find(id);
  if (it == seq_of_.end()) return;
  by_seq_.erase(it->second);
  seq_of_.erase(it);
}

void RequestPool::ResetArrivals(TimeMs now) {
  for (auto& [seq, r] : by_seq_) r.arrival = now;
}

}  // namespace licenced::consensus
