#include "node/execution_driver.h"

#include <chrono>
#include <utility>

#include <spdlog/spdlog.h>

namespace licenced::node {

ExecutionDriver::ExecutionDriver(Executor* executor, storage::BlockStore* store,
                                 uint64_t checkpoint_interval, Callbacks callbacks)
    : executor_(executor),
      store_(store),
      checkpoint_interval_(checkpoint_interval),
      callbacks_(std::move(callbacks)) {}

ExecutionDriver::~ExecutionDriver() { Stop(); }

void ExecutionDriver::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void ExecutionDriver::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void ExecutionDriver::Enqueue(consensus::Deliver delivered) {
  {
    MutexLock lock(&mu_);
    if (stopping_ || failed_ || halted_) return;
    queue_.push_back(std::move(delivered));
  }
  wake_.Signal();
}

void ExecutionDriver::Certified(consensus::Certified certified) {
  {
    MutexLock lock(&mu_);
    if (stopping_ || failed_) return;  // no thread left to store it
    certificates_.push_back(std::move(certified));
  }
  wake_.Signal();
}

void ExecutionDriver::HaltExecution(const consensus::HaltExecution& halt) {
  {
    MutexLock lock(&mu_);
    if (halted_) return;
    halted_ = true;
    queue_.clear();
  }
  if (callbacks_.halted) callbacks_.halted(halt);
  wake_.Signal();
}

bool ExecutionDriver::halted() const {
  MutexLock lock(&mu_);
  return halted_;
}

size_t ExecutionDriver::backlog() const {
  MutexLock lock(&mu_);
  return queue_.size();
}

bool ExecutionDriver::failed() const {
  MutexLock lock(&mu_);
  return failed_;
}

void ExecutionDriver::Loop() {
  for (;;) {
    consensus::Deliver d;
    bool more_queued;
    std::deque<consensus::Certified> certificates;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && queue_.empty() && certificates_.empty()) wake_.Wait(&mu_);
      if (stopping_) return;
      certificates.swap(certificates_);
      if (queue_.empty()) {
        more_queued = false;
      } else {
        d = std::move(queue_.front());
        queue_.pop_front();
        more_queued = !queue_.empty();
      }
    }
    for (const consensus::Certified& c : certificates) {
      // A lost certificate costs its height a proof only: log and go on.
      Status s =
          store_->PutStateCertificate(c.certificate.checkpoint.height, c.certificate.Encode());
      if (!s.ok()) spdlog::warn("storing a state certificate failed: {}", s.ToString());
    }
    if (d.block.header.height == 0) continue;  // certificates only
    if (!ExecuteOne(d, more_queued)) {
      MutexLock lock(&mu_);
      failed_ = true;
      queue_.clear();
      return;
    }
  }
}

bool ExecutionDriver::ExecuteOne(const consensus::Deliver& d, bool more_queued) {
  const uint64_t height = d.block.header.height;
  if (height <= store_->head_height()) {
    // Already executed (a restart replays): tell the replica what we have.
    auto root = executor_->StateRootAt(height);
    if (!root.ok()) {
      callbacks_.failed(Status(root.status().code(), "reading the state root of executed block " +
                                                         std::to_string(height) + ": " +
                                                         root.status().message()));
      return false;
    }
    callbacks_.executed(height, d.block.ComputeHash(), *root);
    return true;
  }
  const bool sync = SyncAfterBlock(height, more_queued, checkpoint_interval_);
  const auto t0 = std::chrono::steady_clock::now();
  auto executed = executor_->ExecuteBlock(d.block, d.cert, sync);
  if (!executed.ok()) {
    callbacks_.failed(Status(
        executed.status().code(),
        "executing block " + std::to_string(height) + " failed: " + executed.status().message()));
    return false;
  }
  // The replica first: the next proposal waits for it.
  callbacks_.executed(height, executed->block_hash, executed->state_root);
  if (callbacks_.committed) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    callbacks_.committed(*executed, seconds);
  }
  return true;
}

}  // namespace licenced::node
