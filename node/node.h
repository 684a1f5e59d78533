// Node: the licenced daemon's composition root. Owns the config, genesis,
// keys, RocksDB, block store, consensus log, executor, replica, the Asio
// io_context with the strand that drives the replica, the transaction
// verifier pool, the peer links, the gRPC servers and the HTTP server.
//
// Threading: every replica call runs on strand_. Delivered blocks are
// executed in order on the ExecutionDriver's thread, which posts
// ReplicaHost::OnExecuted back to the strand; state transfer fetches on the
// BlockFetchWorker's thread. gRPC handler threads only decode,
// check and post to the strand (or to the verifier pool). Read-only queries (blocks, tx records,
// state) go straight to the thread-safe stores.
//
// Thread-safe public methods unless marked otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "consensus/replica.h"
#include "core/genesis.h"
#include "core/mutex.h"
#include "core/thread_annotations.h"
#include "node/block_fetch_worker.h"
#include "node/config.h"
#include "node/event_bus.h"
#include "node/execution_driver.h"
#include "node/executor.h"
#include "node/host/replica_host.h"
#include "node/ledger_reader.h"
#include "node/metrics.h"
#include "node/state_store.h"
#include "node/storage/block_store.h"
#include "node/storage/consensus_log.h"
#include "node/storage/kv_store.h"
#include "node/submission_table.h"
#include "node/tls_files.h"
#include "node/tls_rotation.h"
#include "node/tx_verifier.h"

namespace licenced::node {

class PeerLink;
class Byzantine;
class ByzantineTransport;
class PeerService;
class ClientService;
class HealthService;
class RpcServers;
class HttpServer;
class TlsSource;
class CredentialService;
class StatusListPublisher;

struct NodeStatusView {
  uint64_t height = 0;
  Hash head_hash{};
  Hash state_root{};
  uint64_t view = 0;
  uint32_t primary = 0;
  uint64_t stable_checkpoint = 0;
  uint64_t mempool_size = 0;
  uint64_t view_changes = 0;
  uint64_t head_time_ms = 0;  // timestamp of the head block (genesis time at 0)
  uint64_t certified_height = 0;
  std::string execution_halted;  // empty: executing
};

// One peer validator as this node sees it (GetStatus).
struct PeerView {
  std::string name;
  std::string org;
  std::string address;
  bool connected = false;
  uint64_t dropped_messages = 0;  // outbound messages dropped (queue full)
};

// The node is the host's I/O (node/host/replica_host.h interprets the
// replica's effects): its ports are the peer links, Asio timers, the
// ExecutionDriver, the BlockFetchWorker, the consensus log in RocksDB and
// the wall clock.
class Node final : private host::Transport,
                   private host::TimerPort,
                   private host::BlockFetcher,
                   private host::ConsensusLogPort,
                   private host::Clock,
                   private host::HostListener {
 public:
  // Loads genesis and keys, opens the data dir, restores the replica.
  static Result<std::unique_ptr<Node>> Open(NodeConfig config);
  ~Node();

  // Starts servers, peer links and the loop. Returns when all are listening.
  Status Start();
  // Stops everything; idempotent. REQUIRES: not called from a node thread.
  void Shutdown();
  // Asks the owner to shut down (fatal errors, signals): Wait() returns.
  void RequestShutdown();
  // Blocks until RequestShutdown() or Shutdown().
  void Wait();

  // ---- called by the gRPC services ----
  // Admission control for client submissions (txs from peers are bounded by
  // limits.mempool_max in the replica instead): OK, or UNAVAILABLE with a
  // "retry later" message when the pending backlog (this node's pending
  // submissions or the replica's mempool, whichever is larger) is at
  // limits.admission_max_pending. The ClientApi answers the latter with
  // RESOURCE_EXHAUSTED. Call it before Submit(); it is a soft bound
  // (concurrent callers may overshoot it by a few), Submit's mempool_max
  // check is the hard one. Counts a refusal in the metrics.
  Status Admit();
  // Checks and submits; `done` runs exactly once (on some thread) with the
  // outcome, or with the error (ALREADY_EXISTS, INVALID_ARGUMENT, ...).
  void Submit(Transaction tx, Bytes encoded, bool wait_for_commit, uint32_t timeout_ms,
              std::function<void(Result<SubmitOutcome>)> done);
  Result<std::optional<TxRecord>> TxRecordOf(const Hash& id) const;
  bool IsPending(const Hash& id) const;
  Result<std::optional<Bytes>> PendingTx(const Hash& id) const;
  Result<std::string> Query(const std::string& method, const std::string& args_json,
                            uint64_t* height) const;
  NodeStatusView StatusSnapshot() const;
  // The TLS certificate the node serves now, and its replacements so far.
  TlsRotation::Snapshot TlsStatus() const { return tls_rotation_->snapshot(); }
  // Re-reads the configured TLS files now (SIGHUP); the refusal if they fail a check.
  Status ReloadTls() { return tls_rotation_->Reload(); }
  std::vector<PeerView> PeerStatuses() const;
  // Blocks, committed transactions, proofs and the event log (thread-safe).
  const LedgerReader& ledger() const { return *ledger_; }

  // Event subscriptions (live events after commit). Returns a token.
  using EventSink = EventBus::Sink;
  uint64_t SubscribeEvents(EventSink sink) { return events_.Subscribe(std::move(sink)); }
  void UnsubscribeEvents(uint64_t token) { events_.Unsubscribe(token); }

  const NodeConfig& config() const { return config_; }
  const Genesis& genesis() const { return genesis_; }
  uint32_t self() const { return self_; }
  const Hash& genesis_hash() const { return genesis_hash_; }
  Metrics& metrics() { return metrics_; }

 private:
  explicit Node(NodeConfig config);
  static consensus::TimeMs NowMs();

  // ---- the host's ports (on the strand) ----
  void Send(consensus::ReplicaId to, const Bytes& message) override;
  void Broadcast(const Bytes& message) override;
  void Arm(consensus::TimerId id, uint64_t generation, consensus::TimeMs deadline) override;
  void Cancel(consensus::TimerId id) override;
  bool Fetch(consensus::ReplicaId peer, uint64_t from, uint64_t to) override;
  Status Write(const std::vector<std::pair<std::string, Bytes>>& batch) override;
  Status Sync() override { return Status::Ok(); }  // every Write is a synced write
  consensus::TimeMs Now() override { return NowMs(); }
  void AfterStep() override { RefreshGauges(); }
  void OnHalt(const Status& why) override;
  // Hands one outgoing SendTo or Broadcast to the peer links (through the
  // Byzantine filter in its test mode).

  // ---- on the execution thread: metrics, status, waiters, events ----
  void OnCommitted(const ExecutedBlock& block, double seconds);
  void OnExecutionFailed(const Status& why);
  Status OpenCredentials();  // the HTTP listener's credential service (Open)
  // On the fetch thread: the infos of every fetched tx, in order, for the
  // replica (ids) and the executor (remembered checks; node/node.cc).
  std::vector<consensus::TxInfo> InspectFetched(const host::FetchedBlocks& blocks);
  void RefreshGauges();

  template <typename Fn>
  void OnStrand(Fn fn);

  std::optional<uint32_t> SignerOf(ByteView message) const;

  NodeConfig config_;
  Genesis genesis_;
  Hash genesis_hash_{};
  uint32_t self_ = 0;
  consensus::ValidatorSet validators_;
  std::optional<crypto::KeyPair> key_;
  std::unique_ptr<TlsRotation> tls_rotation_;  // checks and installs TLS replacements
  std::unique_ptr<TlsSource> tls_source_;      // its active copies, as gRPC reads them
  Metrics metrics_;

  std::unique_ptr<storage::KvStore> kv_;
  std::unique_ptr<storage::BlockStore> block_store_;
  std::unique_ptr<storage::ConsensusLog> consensus_log_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<LedgerReader> ledger_;  // over block_store_, kv_ and executor_'s map
  std::unique_ptr<TxVerifier> verifier_;

  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> loop_threads_;
  std::unique_ptr<ExecutionDriver> execution_;
  BlockFetchWorker fetcher_;
  EventBus events_;
  SubmissionTable submissions_;

  // Strand-only state.
  std::unique_ptr<host::ReplicaHost> host_;  // owns the replica
  std::unique_ptr<Byzantine> byzantine_;     // test only (--test-byzantine); null otherwise
  std::unique_ptr<ByzantineTransport> byzantine_transport_;  // the host's transport then
  std::unordered_map<consensus::TimerId, std::unique_ptr<boost::asio::steady_timer>> timers_;

  std::vector<std::unique_ptr<PeerLink>> links_;  // index = ReplicaId; null for self
  std::unique_ptr<PeerService> peer_service_;
  std::unique_ptr<ClientService> client_service_;
  std::unique_ptr<HealthService> health_service_;
  std::unique_ptr<RpcServers> rpc_;                 // after the services it serves
  std::unique_ptr<CredentialService> credentials_;  // the HTTP listener's /credentials/
  std::unique_ptr<StatusListPublisher> publisher_;  // with an issuing key: the org's lists
  std::unique_ptr<HttpServer> http_;

  // Status snapshot written by the strand, read by anyone.
  mutable Mutex status_mu_;
  NodeStatusView status_ GUARDED_BY(status_mu_);

  Mutex shutdown_mu_;
  CondVar shutdown_cv_;
  bool shut_down_ GUARDED_BY(shutdown_mu_) = false;
  bool shutdown_requested_ GUARDED_BY(shutdown_mu_) = false;
  bool started_ = false;
  std::atomic<bool> fatal_{false};  // a fatal error stopped the strand's work
};

}  // namespace licenced::node
