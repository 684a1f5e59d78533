// SubmissionTable: the client submissions this node accepted and has not yet
// seen committed, with the callers waiting for their commit.
//
// A submission is refused while the same transaction is pending (a replay)
// unless the pending entry is older than `expiry` (the network may never
// have ordered it), and when `capacity` submissions are pending. Commits
// (Complete) hand back the waiters to run and each submission's latency;
// the caller runs the waiters outside the table's lock.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/mutex.h"
#include "core/status.h"
#include "core/thread_annotations.h"
#include "node/executor.h"
#include "node/state_store.h"
#include "node/tx_verifier.h"  // HashHasher

namespace licenced::node {

// Outcome of a submitted transaction once committed (or not).
struct SubmitOutcome {
  Hash id{};
  bool committed = false;
  TxRecord record;
};

class SubmissionTable {
 public:
  using Clock = std::chrono::steady_clock;
  using Waiter = std::function<void(Result<SubmitOutcome>)>;

  SubmissionTable(size_t capacity, Clock::duration expiry) : capacity_(capacity), expiry_(expiry) {}

  // ALREADY_EXISTS (pending and not expired) or UNAVAILABLE (full); otherwise
  // records the submission, with `waiter` if it is set.
  Status Add(const Hash& id, Bytes encoded, Waiter waiter, Clock::time_point now) EXCLUDES(mu_);
  // Forgets a submission that failed its checks (its waiter is not run).
  void Remove(const Hash& id) EXCLUDES(mu_);

  struct Completed {
    std::vector<std::pair<Waiter, SubmitOutcome>> waiters;
    std::vector<double> latencies_seconds;  // one per submission of this node
  };
  // Takes the block's transactions out of the table.
  Completed Complete(const ExecutedBlock& block, Clock::time_point now) EXCLUDES(mu_);
  // Empties the table; returns every waiter (the caller fails them).
  std::vector<Waiter> TakeAll() EXCLUDES(mu_);

  bool Contains(const Hash& id) const EXCLUDES(mu_);
  std::optional<Bytes> Encoded(const Hash& id) const EXCLUDES(mu_);
  size_t size() const EXCLUDES(mu_);

 private:
  struct Pending {
    Bytes encoded;
    Clock::time_point submitted;
    std::vector<Waiter> waiters;
  };
  const size_t capacity_;
  const Clock::duration expiry_;
  mutable Mutex mu_;
  std::unordered_map<Hash, Pending, HashHasher> pending_ GUARDED_BY(mu_);
};

}  // namespace licenced::node
