#include "node/submission_table.h"

#include "core/bytes.h"

namespace licenced::node {

Status SubmissionTable::Add(const Hash& id, Bytes encoded, Waiter waiter, Clock::time_point now) {
  MutexLock lock(&mu_);
  auto it = pending_.find(id);
  if (it != pending_.end() && now - it->second.submitted < expiry_) {
    return Status::AlreadyExists("transaction " + ToHex(id) +
                                 " is already pending; a replay is rejected (wait for it with "
                                 "GetTransaction)");
  }
  if (it == pending_.end() && pending_.size() >= capacity_) {
    return Status::Unavailable("mempool is full (" + std::to_string(capacity_) +
                               " pending transactions); retry later");
  }
  Pending& p = pending_[id];
  p.encoded = std::move(encoded);
  p.submitted = now;
  p.waiters.clear();
  if (waiter) p.waiters.push_back(std::move(waiter));
  return Status::Ok();
}

void SubmissionTable::Remove(const Hash& id) {
  MutexLock lock(&mu_);
  pending_.erase(id);
}

SubmissionTable::Completed SubmissionTable::Complete(const ExecutedBlock& block,
                                                     Clock::time_point now) {
  Completed out;
  MutexLock lock(&mu_);
  for (const auto& tx : block.txs) {
    auto it = pending_.find(tx.id);
    if (it == pending_.end()) continue;
    out.latencies_seconds.push_back(
        std::chrono::duration<double>(now - it->second.submitted).count());
    SubmitOutcome o{tx.id, true, tx.record};
    for (auto& w : it->second.waiters) out.waiters.emplace_back(std::move(w), o);
    pending_.erase(it);
  }
  return out;
}

std::vector<SubmissionTable::Waiter> SubmissionTable::TakeAll() {
  std::vector<Waiter> out;
  MutexLock lock(&mu_);
  for (auto& [id, p] : pending_) {
    for (auto& w : p.waiters) out.push_back(std::move(w));
  }
  pending_.clear();
  return out;
}

bool SubmissionTable::Contains(const Hash& id) const {
  MutexLock lock(&mu_);
  return pending_.count(id) > 0;
}

std::optional<Bytes> SubmissionTable::Encoded(const Hash& id) const {
  MutexLock lock(&mu_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return std::nullopt;
  return it->second.encoded;
}

size_t SubmissionTable::size() const {
  MutexLock lock(&mu_);
  return pending_.size();
}

}  // namespace licenced::node
