// ReplicaHost: the one interpreter of a consensus::Replica's effects, shared by
// the daemon (node/node.cc), the simulator (tests/sim), the consensus unit
// harness and the replica fuzzer, so that every one of them runs the same glue.
//
// It owns the replica and turns its effects into calls on a few small ports:
//   - Persist: consecutive persists are coalesced into one ConsensusLogPort
//     Write; before any later effect that leaves the host (send, broadcast,
//     deliver, fetch, timer) the log is Synced. A failed write or sync halts
//     the host for good (sending after a lost vote could double vote after a
//     restart): no further effect runs and no further input reaches the
//     replica; HostListener::OnHalt says why.
//   - SendTo / Broadcast: Transport.
//   - SetTimer / CancelTimer: TimerPort, with a generation per timer id, so a
//     firing of a timer that was re-armed or cancelled since is ignored.
//   - Deliver: ExecutionQueue (deliver -> execute -> OnExecuted handshake);
//     Certified and HaltExecution: ExecutionQueue too.
//   - FetchBlocks: BlockFetcher, one fetch in flight at a time, at most
//     `max_blocks_per_fetch` blocks per fetch.
// Inputs that arrive while the host is interpreting (an execution queue or a
// fetcher that answers at once) are handed to the replica right away and
// their effects run after the ones already queued, in order.
//
// Single-threaded and driven by calls (the shape of etcd raft's node around
// rawnode): the owner calls it from one thread or strand only. It reads no
// clock (Clock port), starts no thread and does no I/O of its own.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "consensus/replica.h"
#include "core/bytes.h"
#include "core/status.h"

namespace licenced::host {

using consensus::Block;
using consensus::CommitCertificate;
using consensus::ReplicaId;
using consensus::TimeMs;
using consensus::TimerId;

using FetchedBlocks = std::vector<std::pair<Block, CommitCertificate>>;

// Messages to other validators. Best effort: a message may be lost.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Send(ReplicaId to, const Bytes& message) = 0;
  virtual void Broadcast(const Bytes& message) = 0;  // every validator except self
};

// Timers on the replica's clock. When timer `id` armed with `generation` is
// due, the owner calls ReplicaHost::OnTimer(id, generation).
class TimerPort {
 public:
  virtual ~TimerPort() = default;
  virtual void Arm(TimerId id, uint64_t generation, TimeMs deadline) = 0;
  // May be a no-op: a firing with an old generation is ignored anyway.
  virtual void Cancel(TimerId id) = 0;
};

// Executes delivered blocks in delivery order; for each one the owner calls
// ReplicaHost::OnExecuted (possibly from within Enqueue). Also keeps the
// blocks' state certificates, and stops for good when told this replica's
// execution disagrees with a certified state.
class ExecutionQueue {
 public:
  virtual ~ExecutionQueue() = default;
  virtual void Enqueue(consensus::Deliver delivered) = 0;
  // A block's state certificate (its block may not be delivered yet).
  virtual void Certified(consensus::Certified certified) = 0;
  // Execute nothing more; the reason is for the operator (log, status).
  virtual void HaltExecution(const consensus::HaltExecution& halt) = 0;
};

// Fetches committed blocks [from, to] from `peer`. Returns false if it cannot
// start (no link to that peer): nothing is in flight then. Otherwise the owner
// calls ReplicaHost::OnFetched exactly once, with what arrived (any prefix,
// possibly nothing, e.g. after a timeout).
class BlockFetcher {
 public:
  virtual ~BlockFetcher() = default;
  virtual bool Fetch(ReplicaId peer, uint64_t from, uint64_t to) = 0;
};

// The replica's durable key-value log (docs/consensus.md, "Persistence").
class ConsensusLogPort {
 public:
  virtual ~ConsensusLogPort() = default;
  // Writes the batch in order (an empty value deletes the key). An
  // implementation may make it durable at once (the daemon's synced write).
  virtual Status Write(const std::vector<std::pair<std::string, Bytes>>& batch) = 0;
  // Everything written so far is durable when this returns OK.
  virtual Status Sync() = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs Now() = 0;  // the replica's clock, ms
};

// Optional observer (metrics, tests, checkers).
class HostListener {
 public:
  virtual ~HostListener() = default;
  // Every effect, just before the host runs it.
  virtual void OnEffect(const consensus::Effect&) {}
  // After each input has been fully handled.
  virtual void AfterStep() {}
  // The host halted (see above); called once.
  virtual void OnHalt(const Status&) {}
};

struct HostPorts {
  Transport* transport = nullptr;
  TimerPort* timers = nullptr;
  ExecutionQueue* execution = nullptr;
  BlockFetcher* fetcher = nullptr;
  ConsensusLogPort* log = nullptr;
  Clock* clock = nullptr;
  HostListener* listener = nullptr;  // optional
};

struct HostOptions {
  // The one fetch limit: a FetchBlocks range is cut to this many blocks (the
  // peer service serves at most this many per request too).
  uint64_t max_blocks_per_fetch = consensus::kMaxFetchBlocks;
};

class ReplicaHost {
 public:
  // REQUIRES: every port but the listener is set and outlives the host.
  ReplicaHost(std::unique_ptr<consensus::Replica> replica, HostPorts ports, HostOptions options);
  ReplicaHost(const ReplicaHost&) = delete;
  ReplicaHost& operator=(const ReplicaHost&) = delete;

  void Start();
  // A peer's message as decoded (and perhaps signature-checked) at the edge,
  // with the infos of the transactions it carries.
  void OnMessage(consensus::InboundMessage message);
  // A client's transaction and its id. REQUIRES: the owner checked it.
  void OnRequest(Bytes tx, Hash id);
  void OnTimer(TimerId id, uint64_t generation);
  void OnExecuted(uint64_t height, Hash block_hash, Hash state_root_after);
  // `txs`: one info per transaction of `blocks`, in order.
  // `state_certificates`: those that came with the blocks (the replica
  // checks their votes).
  void OnFetched(FetchedBlocks blocks, std::vector<consensus::TxInfo> txs,
                 std::vector<consensus::CheckpointProof> state_certificates = {});

  // Interprets effects the caller got from calling replica() directly (tests
  // that poke the replica), exactly as the host's own.
  void Interpret(std::vector<consensus::Effect> effects) {
    if (!halted_) Run(std::move(effects));
  }

  bool halted() const { return halted_; }
  const Status& halt_reason() const { return halt_reason_; }
  bool fetch_in_flight() const { return fetch_in_flight_; }
  const consensus::Replica& replica() const { return *replica_; }
  // For test-only switches (consensus::ReplicaTestAccess).
  consensus::Replica& mutable_replica() { return *replica_; }

 private:
  // Runs `effects` (or queues them behind the ones being run).
  void Run(std::vector<consensus::Effect> effects);
  void RunOne(consensus::Effect& effect);
  // Syncs what was written since the last sync; false = halted.
  bool SyncLog();
  void Halt(Status why);

  std::unique_ptr<consensus::Replica> replica_;
  HostPorts ports_;
  HostOptions options_;
  std::deque<consensus::Effect> queue_;
  bool running_ = false;
  bool unsynced_ = false;
  bool halted_ = false;
  Status halt_reason_;
  bool fetch_in_flight_ = false;
  struct TimerState {
    uint64_t generation = 0;
    bool armed = false;
  };
  std::unordered_map<TimerId, TimerState> timers_;
};

}  // namespace licenced::host
