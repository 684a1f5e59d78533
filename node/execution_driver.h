// ExecutionDriver: executes the replica's delivered blocks in delivery order
// on one thread of its own, so that the strand keeps handling messages while
// a block runs its chaincode and commits to RocksDB.
//
// For each block it calls `executed` (the node posts ReplicaHost::OnExecuted
// to the strand), then `committed` with the block's outcome (metrics, commit
// waiters, event subscribers). A block the store already holds (a restart
// replays the consensus log) is only reported through `executed`. A block
// that fails to execute calls `failed` once and stops all further execution:
// the node cannot go on with a state it could not compute.
//
// State certificates are written to the block store on the same thread,
// between blocks. HaltExecution (this replica's state disagrees with a
// certified one) stops execution for good and calls `halted`; the node
// keeps running (ordering, reads), not executing.
//
// Durability: a block with more blocks queued behind it is committed
// unsynced, the last one of a run (and every checkpoint height) synced
// (SyncAfterBlock), so a crash keeps a prefix of the run.
//
// Thread-safe: Enqueue and backlog from any thread; Start and Stop from the
// owner's thread. The callbacks run on the execution thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>

#include "consensus/replica.h"
#include "core/mutex.h"
#include "core/status.h"
#include "core/thread_annotations.h"
#include "node/executor.h"
#include "node/host/replica_host.h"
#include "node/storage/block_store.h"

namespace licenced::node {

class ExecutionDriver final : public host::ExecutionQueue {
 public:
  struct Callbacks {
    std::function<void(uint64_t height, Hash block_hash, Hash state_root)> executed;
    std::function<void(const ExecutedBlock& block, double seconds)> committed;  // optional
    std::function<void(const Status& why)> failed;
    std::function<void(const consensus::HaltExecution& halt)> halted;  // optional
  };

  // REQUIRES: executor and store outlive the driver; executed and failed set.
  ExecutionDriver(Executor* executor, storage::BlockStore* store, uint64_t checkpoint_interval,
                  Callbacks callbacks);
  ~ExecutionDriver() override;
  ExecutionDriver(const ExecutionDriver&) = delete;
  ExecutionDriver& operator=(const ExecutionDriver&) = delete;

  void Start();
  // The block being executed finishes (its commit is atomic); queued ones are
  // dropped (the replica delivers them again after a restart). Idempotent.
  void Stop();

  void Enqueue(consensus::Deliver delivered) override EXCLUDES(mu_);
  void Certified(consensus::Certified certified) override EXCLUDES(mu_);
  void HaltExecution(const consensus::HaltExecution& halt) override EXCLUDES(mu_);
  // Blocks queued and not started yet.
  size_t backlog() const EXCLUDES(mu_);
  // True once a block failed to execute.
  bool failed() const EXCLUDES(mu_);
  // True once HaltExecution was called.
  bool halted() const EXCLUDES(mu_);

 private:
  void Loop() EXCLUDES(mu_);
  // False if the node must stop executing.
  bool ExecuteOne(const consensus::Deliver& d, bool more_queued);

  Executor* const executor_;
  storage::BlockStore* const store_;
  const uint64_t checkpoint_interval_;
  const Callbacks callbacks_;

  mutable Mutex mu_;
  CondVar wake_;
  std::deque<consensus::Deliver> queue_ GUARDED_BY(mu_);
  std::deque<consensus::Certified> certificates_ GUARDED_BY(mu_);  // to store
  bool halted_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool failed_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace licenced::node
