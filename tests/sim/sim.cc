#include "tests/sim/sim.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <unordered_map>

#include "consensus/messages.h"
#include "consensus/replica.h"
#include "core/crypto.h"
#include "core/genesis.h"
#include "core/merkle.h"
#include "core/transaction.h"
#include "node/byzantine.h"
#include "node/executor.h"
#include "node/host/replica_host.h"
#include "node/state_store.h"
#include "node/storage/block_store.h"
#include "node/storage/consensus_log.h"
#include "node/storage/fault_injecting_kv_store.h"
#include "node/storage/mem_kv_store.h"
#include "node/tx_verifier.h"
#include "tests/sim/equivocation_checker.h"
#include "tests/sim/test_access.h"

namespace licenced::sim {
namespace {

using consensus::Block;
using consensus::CommitCertificate;
using consensus::Effect;
using consensus::Replica;
using consensus::ReplicaId;
using consensus::TimeMs;

constexpr TimeMs kEpoch = 1'700'000'000'000;  // sim time 0 in every replica's clock
constexpr TimeMs kLoadEnd = 2000;             // clients submit in [0, kLoadEnd)
constexpr TimeMs kFaultsEnd = 3000;           // network faults and crashes stop here
constexpr TimeMs kLivenessBound = 60000;      // after kFaultsEnd, everything must commit
constexpr TimeMs kClientRetry = 1500;
constexpr TimeMs kFetchTimeout = 200;
const char* const kValidatorOrgs[] = {"market", "police", "social",
                                      "tax"};  // a fetch from a silent peer ends empty after this

const std::vector<std::string> kProfiles = {"clean",           "lossy",
                                            "partition",       "crash-restart",
                                            "crash-sync",      "byzantine-primary",
                                            "byzantine-mixed", "byzantine-roots"};

struct Profile {
  double drop = 0;
  double duplicate = 0;
  TimeMs delay_min = 1, delay_max = 5;
  TimeMs skew = 2;  // max |clock offset|
  bool partition = false;
  bool crashes = false;
  // Crashes during a consensus-log sync: the host's writes since its last
  // sync are lost, the host halts, the replica restarts from the disk.
  double crash_at_sync = 0;
  bool byzantine_primary = false;
  // The Byzantine replicas sign wrong state roots (node::ByzantineModes::wrong_root).
  bool wrong_roots = false;
  int default_byzantine = 0;
};

Profile MakeProfile(const std::string& name, size_t f) {
  Profile p;
  if (name == "lossy") {
    p.drop = 0.2;
    p.duplicate = 0.05;
    p.delay_max = 60;
    p.skew = 50;
  } else if (name == "partition") {
    p.partition = true;
    p.delay_max = 20;
    p.skew = 50;
    p.duplicate = 0.02;
  } else if (name == "crash-restart") {
    p.crashes = true;
    p.drop = 0.05;
    p.delay_max = 20;
    p.skew = 50;
  } else if (name == "crash-sync") {
    p.crash_at_sync = 0.01;
    p.drop = 0.05;
    p.delay_max = 20;
    p.skew = 50;
  } else if (name == "byzantine-primary") {
    p.byzantine_primary = true;
    p.default_byzantine = static_cast<int>(f);
    p.delay_max = 10;
    p.skew = 20;
  } else if (name == "byzantine-roots") {
    p.wrong_roots = true;
    p.default_byzantine = static_cast<int>(f);
    p.drop = 0.05;
    p.delay_max = 30;
    p.skew = 50;
  } else if (name == "byzantine-mixed") {
    p.default_byzantine = static_cast<int>(f);
    p.drop = 0.05;
    p.duplicate = 0.05;
    p.delay_max = 30;
    p.skew = 50;
  }
  return p;
}

// Caches signature checks across the replicas of one run (each broadcast is
// verified by n-1 receivers). Pure function of its inputs, so deterministic.
class VerifyCache {
 public:
  bool Verify(const crypto::PublicKey& key, std::string_view tag, ByteView body,
              const crypto::Signature& sig) {
    crypto::Sha256Hasher h;
    h.Update(key).Update(AsBytes(tag)).Update(body).Update(sig);
    Hash k = h.Final();
    std::string skey(k.begin(), k.end());
    auto it = cache_.find(skey);
    if (it != cache_.end()) return it->second;
    bool ok = crypto::Verify(key, tag, body, sig);
    cache_.emplace(std::move(skey), ok);
    return ok;
  }

 private:
  std::unordered_map<std::string, bool> cache_;
};

class Simulation;

// The simulator's side of one incarnation of a replica's host: the network,
// timers, execution, block fetches, the consensus log and the clock of the
// simulation, behind the ports the daemon's host uses too.
class SimPorts final : public host::Transport,
                       public host::TimerPort,
                       public host::ExecutionQueue,
                       public host::BlockFetcher,
                       public host::ConsensusLogPort,
                       public host::Clock,
                       public host::HostListener {
 public:
  SimPorts(Simulation* sim, ReplicaId id, uint64_t incarnation)
      : sim_(sim), id_(id), incarnation_(incarnation) {}
  void Send(ReplicaId to, const Bytes& message) override;
  void Broadcast(const Bytes& message) override;
  void Arm(consensus::TimerId id, uint64_t generation, TimeMs deadline) override;
  void Cancel(consensus::TimerId) override {}
  void Enqueue(consensus::Deliver delivered) override;
  void Certified(consensus::Certified certified) override;
  void HaltExecution(const consensus::HaltExecution& halt) override;
  bool Fetch(ReplicaId peer, uint64_t from, uint64_t to) override;
  Status Write(const std::vector<std::pair<std::string, Bytes>>& batch) override;
  Status Sync() override;
  TimeMs Now() override;
  void AfterStep() override;
  void OnHalt(const Status& why) override;

 private:
  Simulation* sim_;
  ReplicaId id_;
  uint64_t incarnation_;
  uint64_t steps_ = 0;
  bool restore_broken_ = false;
};

struct Node {
  ReplicaId id = 0;
  std::optional<crypto::KeyPair> key;
  // Byzantine replicas: the daemon's behaviours, as a decorator of its ports.
  std::unique_ptr<node::Byzantine> byzantine;
  std::unique_ptr<node::ByzantineTransport> byzantine_transport;
  std::unique_ptr<SimPorts> ports;
  std::unique_ptr<host::ReplicaHost> host;  // the replica and its effect interpreter
  bool up = true;
  uint64_t incarnation = 0;
  int64_t clock_offset = 0;
  // The disk: what survives a crash. The fault-injecting store in front of it
  // drops every write not yet synced when the node crashes.
  std::unique_ptr<storage::MemKvStore> disk;
  std::unique_ptr<storage::FaultInjectingKvStore> kv;
  // The daemon's block store and executor (real chaincode) over it, while up.
  std::unique_ptr<storage::BlockStore> blocks;
  std::unique_ptr<node::Executor> executor;
  // The daemon's edge for transactions (decoded, id hashed, signature
  // checked once per node; remembered for the executor), while up.
  std::unique_ptr<node::TxVerifier> verifier;
  uint64_t executed_height = 0;  // what the block store holds
  std::set<Hash> committed;      // client tx ids executed (rebuilt from the disk at each start)
  // Volatile.
  std::deque<std::pair<Block, CommitCertificate>> exec_queue;
  bool exec_scheduled = false;
  uint64_t last_delivered = 0;
  Hash last_delivered_hash{};
  TimeMs last_delivered_ts = 0;
  uint64_t view_changes_total = 0;  // over incarnations
  bool execution_halted = false;    // this incarnation's replica said so
};

class Simulation {
 public:
  Simulation(const SimOptions& options, uint64_t seed)
      : options_(options), seed_(seed), rng_(seed * 0x9E3779B97F4A7C15ull + 12345) {}

  RunResult Run();

 private:
  friend class SimPorts;

  struct Event {
    TimeMs time;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };

  void At(TimeMs t, std::function<void()> fn) { queue_.push(Event{t, next_seq_++, std::move(fn)}); }
  TimeMs LocalNow(const Node& n) const {
    return static_cast<TimeMs>(static_cast<int64_t>(kEpoch + now_) + n.clock_offset);
  }
  uint64_t Rand(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  bool Honest(const Node& n) const { return !n.byzantine; }
  bool FaultsActive() const { return now_ < kFaultsEnd; }
  bool Partitioned(ReplicaId a, ReplicaId b) const {
    return partition_active_ && side_[a] != side_[b];
  }

  consensus::ReplicaConfig MakeConfig(ReplicaId id);
  void StartReplica(Node& n);
  // The daemon's edge for a peer's message: decoded once, every signature
  // checked (with the simulator's cache), the carried txs inspected by the
  // receiver's TxVerifier. Nothing if the daemon would drop it there.
  std::optional<consensus::InboundMessage> Edge(Node& n, ReplicaId from, ByteView message);
  // Client transaction i: identity.enrol_clerk of a new clerk, signed by an org admin.
  Bytes EnrolClerkTx(size_t i) const;
  static uint64_t MakeConfigCheckpointInterval() { return 4; }
  void OpenStorage(Node& n);
  void HaltedCrash(ReplicaId id, const std::string& why);
  void Send(ReplicaId from, ReplicaId to, const Bytes& msg);
  void CheckSigned(const Node& n, const Bytes& msg);
  void OnDeliver(Node& n, Block block, CommitCertificate cert);
  // The certified-root check: every state certificate an honest replica
  // forms names the root that deterministic re-execution gives.
  void OnCertified(const Node& n, const consensus::CheckpointProof& certificate);
  void NoteExecutedRoot(const Node& n, uint64_t height, const Hash& root);
  void CheckCertifiedRoot(const std::string& who, uint64_t height, const Hash& certified);
  void Execute(ReplicaId id, uint64_t incarnation);
  void Fetch(ReplicaId from, uint64_t incarnation, ReplicaId peer, uint64_t lo, uint64_t hi);
  // Runs `fn` on node `id`'s host at `t` if that incarnation is still up.
  void AtHost(TimeMs t, ReplicaId id, uint64_t incarnation,
              std::function<void(host::ReplicaHost&)> fn);
  void Crash(ReplicaId id);
  void Restart(ReplicaId id);
  void Submit(size_t tx_index);
  void ClientRetry(size_t tx_index);
  bool AllCommitted() const;
  void Violate(const std::string& kind, const std::string& detail);
  void Trace(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  SimOptions options_;
  uint64_t seed_;
  std::mt19937_64 rng_;
  Profile profile_;
  consensus::ValidatorSet validators_;
  std::vector<Node> nodes_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  uint64_t next_seq_ = 0;
  TimeMs now_ = 0;
  uint64_t events_ = 0;
  VerifyCache verify_cache_;
  Genesis genesis_;  // a dev network with the simulated validators
  Hash genesis_hash_{};
  std::map<std::string, crypto::KeyPair> admin_keys_;  // org -> admin (the client signs with them)
  bool partition_active_ = false;
  std::vector<int> side_;
  // Client and checkers.
  std::vector<Bytes> txs_;
  std::vector<Hash> tx_ids_;
  std::vector<TimeMs> submitted_at_;
  std::map<Hash, size_t> submitted_ids_;
  size_t submitted_count_ = 0;
  std::map<uint64_t, Hash> agreed_;     // height -> block hash (first honest Deliver)
  std::map<Hash, uint64_t> tx_height_;  // tx id -> height it was committed at
  std::set<std::string> cert_ok_;       // verified certificates
  uint64_t window_ = 1;                 // order_ahead_window of this run
  // Root after each height by the first honest execution (execution is
  // deterministic: every later honest one must give the same), and the
  // certified roots seen before any honest replica executed their height.
  std::map<uint64_t, Hash> executed_roots_;
  std::map<uint64_t, std::vector<std::pair<std::string, Hash>>> certified_unchecked_;
  uint64_t certified_checked_ = 0;
  consensus::testing::EquivocationChecker equivocation_;  // honest replicas' own signatures
  std::vector<Violation> violations_;
  size_t crash_budget_ = 0;  // crash-sync: crashes still allowed
  size_t max_faulty_ = 0;    // f
  // Byzantine, down or halted replicas now.
  size_t FaultyNow() const {
    size_t k = 0;
    for (const Node& node : nodes_) {
      if (!Honest(node) || !node.up || (node.host && node.host->halted())) ++k;
    }
    return k;
  }
};

void Simulation::Trace(const char* fmt, ...) {
  if (!options_.trace) return;
  va_list ap;
  va_start(ap, fmt);
  std::printf("[%6llu] ", static_cast<unsigned long long>(now_));
  std::vprintf(fmt, ap);
  std::printf("\n");
  va_end(ap);
}

void Simulation::Violate(const std::string& kind, const std::string& detail) {
  if (violations_.size() < 20) violations_.push_back({kind, detail});
  Trace("VIOLATION %s: %s", kind.c_str(), detail.c_str());
}

consensus::ReplicaConfig Simulation::MakeConfig(ReplicaId id) {
  consensus::ReplicaConfig c;
  c.validators = validators_;
  c.self = id;
  c.max_batch_txs = 8;
  c.max_batch_wait = 5;
  c.checkpoint_interval = MakeConfigCheckpointInterval();
  c.watermark_window = 16;
  c.view_change_timeout = 300;
  c.max_clock_skew = 1000;
  c.status_interval = 100;
  c.genesis_hash = genesis_hash_;
  c.genesis_time_ms = genesis_.genesis_time_ms;
  c.order_ahead_window = window_;
  // As the daemon: decode, network, signature; committed ids from the
  // replica's deliveries and, after a restart, the store's last blocks.
  return c;
}

Bytes Simulation::EnrolClerkTx(size_t i) const {
  const std::string org = kValidatorOrgs[i % 4];
  crypto::Seed seed{};
  Bytes tag = ToBytes("sim-clerk:" + std::to_string(seed_) + ":" + std::to_string(i));
  Hash h = crypto::Sha256(tag);
  std::copy(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(seed.size()), seed.begin());
  const std::string args = "{\"name\":\"clerk-" + std::to_string(seed_) + "-" + std::to_string(i) +
                           "\",\"public_key\":\"" +
                           ToHex(crypto::KeyPair::FromSeed(seed).public_key()) +
                           "\",\"roles\":[\"clerk\"]}";
  Transaction tx;
  tx.network_id = genesis_.network_id;
  tx.chaincode = "identity";
  tx.method = "enrol_clerk";
  tx.args = ToBytes(args);
  tx.nonce = i + 1;
  tx.SignWith(admin_keys_.at(org));
  return tx.Encode();
}

std::optional<consensus::InboundMessage> Simulation::Edge(Node& n, ReplicaId from,
                                                          ByteView message) {
  auto decoded = consensus::SignedMessage::Decode(message);
  if (!decoded.ok()) return std::nullopt;
  auto cached = [this](const crypto::PublicKey& k, std::string_view tag, ByteView body,
                       const crypto::Signature& sig) {
    return verify_cache_.Verify(k, tag, body, sig);
  };
  if (!consensus::VerifyMessageSignatures(validators_, *decoded, cached).ok()) return std::nullopt;
  consensus::InboundMessage in{from, std::move(*decoded), true, {}};
  for (const Bytes& tx : consensus::CarriedTxs(in.envelope)) {
    in.txs.push_back(n.verifier->Inspect(tx));
  }
  return in;
}

void Simulation::OpenStorage(Node& n) {
  if (!n.disk) {
    n.disk = std::make_unique<storage::MemKvStore>();
    n.kv = std::make_unique<storage::FaultInjectingKvStore>(n.disk.get());
  }
  auto blocks = storage::BlockStore::Open(n.kv.get(), genesis_hash_);
  if (!blocks.ok()) {
    Violate("integrity", "replica " + std::to_string(n.id) +
                             " cannot reopen its block store: " + blocks.status().ToString());
    return;
  }
  n.blocks = std::move(*blocks);
  n.executor = std::make_unique<node::Executor>(genesis_, n.blocks.get());
  n.verifier = std::make_unique<node::TxVerifier>(genesis_.network_id, /*threads=*/0);
  node::TxVerifier* verifier = n.verifier.get();
  n.executor->SetCheckedTxLookup([verifier](ByteView tx) { return verifier->Lookup(tx); });
  n.executed_height = n.blocks->head_height();
  n.committed.clear();
  for (uint64_t h = 1; h <= n.executed_height; ++h) {
    auto raw = n.blocks->BlockByHeight(h);
    auto block = raw.ok() && raw->has_value() ? Block::Decode(**raw) : Result<Block>(raw.status());
    if (!block.ok()) {
      Violate("integrity", "replica " + std::to_string(n.id) + " lost block " + std::to_string(h));
      continue;
    }
    for (const Bytes& tx : block->txs) {
      auto t = Transaction::Decode(tx);
      if (t.ok()) n.committed.insert(t->Id());
    }
  }
}

void Simulation::StartReplica(Node& n) {
  OpenStorage(n);
  if (!n.blocks) {
    n.up = false;
    return;
  }
  storage::ConsensusLog log(n.kv.get());
  auto loaded = log.LoadAll();
  std::vector<std::pair<std::string, Bytes>> persisted;
  if (loaded.ok()) persisted = std::move(*loaded);
  if (options_.forgetful_votes && Honest(n)) {
    std::erase_if(persisted, [](const auto& e) { return e.first.starts_with("pbft/vote/"); });
  }
  const uint64_t h = n.executed_height;
  const Hash hash = n.blocks->head_hash();
  auto root = n.executor->HeadStateRoot();
  TimeMs head_ts = 0;
  if (h > 0) {
    auto raw = n.blocks->BlockByHeight(h);
    if (raw.ok() && raw->has_value()) {
      auto b = Block::Decode(**raw);
      if (b.ok()) head_ts = b->header.timestamp_ms;
    }
  }
  consensus::ReplicaConfig config = MakeConfig(n.id);
  config.executed_block_timestamp = head_ts;
  auto recent = node::RecentlyCommittedTxs(*n.blocks, config.committed_id_window);
  if (recent.ok()) config.recently_committed = std::move(*recent);
  // As the daemon: the roots within the window, from the store.
  for (uint64_t k = h > window_ ? h - window_ + 1 : 0; k < h; ++k) {
    auto r = n.executor->StateRootAt(k);
    if (r.ok()) config.recent_state_roots.emplace_back(k, *r);
  }
  if (!recent.ok()) root = recent.status();
  auto r = root.ok()
               ? Replica::Create(std::move(config), *n.key, std::move(persisted), h, hash, *root)
               : Result<std::unique_ptr<Replica>>(root.status());
  if (!r.ok()) {
    Violate("integrity",
            "replica " + std::to_string(n.id) + " cannot restart: " + r.status().ToString());
    n.up = false;
    return;
  }
  std::unique_ptr<Replica> replica = std::move(r).value();
  if (options_.unsafe_quorums) consensus::ReplicaTestAccess::SetUnsafeQuorums(*replica, true);
  if (options_.unsafe_state_quorum && Honest(n)) {
    consensus::ReplicaTestAccess::SetUnsafeStateQuorum(*replica, true);
  }
  if (options_.unsafe_fetched_certificates && Honest(n)) {
    consensus::ReplicaTestAccess::SetUnsafeFetchedCertificates(*replica, true);
  }
  if (options_.stale_phases) consensus::ReplicaTestAccess::SetStalePhases(*replica, true);
  if (options_.unpersisted_prepared && Honest(n)) {
    consensus::ReplicaTestAccess::SetUnpersistedPrepared(*replica, true);
  }
  if (options_.forgetful_votes && Honest(n)) {
    consensus::ReplicaTestAccess::SetForgetfulVotes(*replica, true);
  }
  n.ports = std::make_unique<SimPorts>(this, n.id, n.incarnation);
  host::HostPorts ports;
  ports.transport = n.ports.get();
  if (n.byzantine) {
    n.byzantine_transport =
        std::make_unique<node::ByzantineTransport>(n.byzantine.get(), n.ports.get());
    ports.transport = n.byzantine_transport.get();
  }
  ports.timers = n.ports.get();
  ports.execution = n.ports.get();
  ports.fetcher = n.ports.get();
  ports.log = n.ports.get();
  ports.clock = n.ports.get();
  ports.listener = n.ports.get();
  n.host = std::make_unique<host::ReplicaHost>(std::move(replica), ports, host::HostOptions{});
  n.up = true;
  n.execution_halted = false;
  n.last_delivered = h;
  n.last_delivered_hash = hash;
  n.last_delivered_ts = head_ts;
  n.host->Start();
}

void Simulation::AtHost(TimeMs t, ReplicaId id, uint64_t incarnation,
                        std::function<void(host::ReplicaHost&)> fn) {
  At(t, [this, id, incarnation, fn = std::move(fn)] {
    Node& node = nodes_[id];
    if (!node.up || node.incarnation != incarnation || !node.host) return;
    fn(*node.host);
  });
}

// ---- the simulator's ports (writes stay unsynced until the host syncs them,
// so a crash loses exactly what the host had not made durable)

void SimPorts::Send(ReplicaId to, const Bytes& message) {
  sim_->CheckSigned(sim_->nodes_[id_], message);
  sim_->Send(id_, to, message);
}

void SimPorts::Broadcast(const Bytes& message) {
  sim_->CheckSigned(sim_->nodes_[id_], message);
  for (ReplicaId to = 0; to < sim_->nodes_.size(); ++to) {
    if (to != id_) sim_->Send(id_, to, message);
  }
}

void SimPorts::Arm(consensus::TimerId id, uint64_t generation, TimeMs deadline) {
  TimeMs local = Now();
  TimeMs at = sim_->now_ + (deadline > local ? deadline - local : 0);
  sim_->AtHost(at, id_, incarnation_,
               [id, generation](host::ReplicaHost& h) { h.OnTimer(id, generation); });
}

void SimPorts::Enqueue(consensus::Deliver delivered) {
  sim_->OnDeliver(sim_->nodes_[id_], std::move(delivered.block), std::move(delivered.cert));
}

void SimPorts::Certified(consensus::Certified certified) {
  Node& n = sim_->nodes_[id_];
  sim_->OnCertified(n, certified.certificate);
  // Stored with the block, as the daemon's ExecutionDriver does: state
  // transfer serves it to replicas that fetch the block.
  (void)n.blocks->PutStateCertificate(certified.certificate.checkpoint.height,
                                      certified.certificate.Encode());
}

void SimPorts::HaltExecution(const consensus::HaltExecution& halt) {
  Node& n = sim_->nodes_[id_];
  n.execution_halted = true;
  // Honest replicas execute deterministically and only 2f+1 certify: one
  // that disagrees with a certified state shows a certificate gone wrong.
  if (sim_->Honest(n)) {
    sim_->Violate("certified-root",
                  "replica " + std::to_string(id_) + " halted execution: " + halt.reason);
  }
}

bool SimPorts::Fetch(ReplicaId peer, uint64_t from, uint64_t to) {
  ReplicaId self = id_;
  uint64_t inc = incarnation_;
  sim_->At(sim_->now_ + 1 + sim_->Rand(5),
           [sim = sim_, self, inc, peer, from, to] { sim->Fetch(self, inc, peer, from, to); });
  return true;
}

Status SimPorts::Write(const std::vector<std::pair<std::string, Bytes>>& batch) {
  storage::WriteBatch wb;
  for (const auto& [key, value] : batch) {
    if (value.empty()) {
      wb.Delete(storage::Column::kConsensus, key);
    } else {
      wb.Put(storage::Column::kConsensus, key, value);
    }
  }
  return sim_->nodes_[id_].kv->Write(wb, /*sync=*/false);
}

Status SimPorts::Sync() {
  Node& n = sim_->nodes_[id_];
  if (sim_->profile_.crash_at_sync > 0 && sim_->FaultsActive() && sim_->Honest(n) &&
      sim_->crash_budget_ > 0 && sim_->FaultyNow() < sim_->max_faulty_ &&
      sim_->Uniform() < sim_->profile_.crash_at_sync) {
    --sim_->crash_budget_;
    n.kv->InjectAt(0, storage::FaultInjectingKvStore::Fault::kCrashBeforeSync);
  }
  return n.kv->Write(storage::WriteBatch(), /*sync=*/true);
}

void SimPorts::AfterStep() {
  // Persist-then-restore equality: what this replica has written (synced or
  // not: the host syncs before anything leaves) restores to its durable state.
  const uint64_t every = sim_->options_.restore_check_every;
  Node& n = sim_->nodes_[id_];
  if (every == 0 || restore_broken_ || ++steps_ % every != 0 || !sim_->Honest(n) || !n.host ||
      n.host->halted()) {
    return;
  }
  if (sim_->options_.forgetful_votes) return;  // drops its votes by design
  auto persisted = storage::ConsensusLog(n.kv.get()).LoadAll();
  Status s = persisted.ok() ? n.host->replica().CheckRestoresFrom(*persisted) : persisted.status();
  if (!s.ok()) {
    sim_->Violate("invariant", "replica " + std::to_string(id_) + ": " + s.message());
    restore_broken_ = true;  // reported once per incarnation
  }
}

void SimPorts::OnHalt(const Status& why) {
  // A broken invariant is a bug in the replica, never a fault the run injected.
  if (why.message().starts_with("consensus invariant violated") &&
      sim_->Honest(sim_->nodes_[id_])) {
    sim_->Violate("invariant", "replica " + std::to_string(id_) + ": " + why.message());
  }
  sim_->HaltedCrash(id_, why.ToString());
}

TimeMs SimPorts::Now() { return sim_->LocalNow(sim_->nodes_[id_]); }

void Simulation::Send(ReplicaId from, ReplicaId to, const Bytes& msg) {
  // A Byzantine replica's sends arrive here already rewritten (its ports'
  // node::ByzantineTransport).
  if (Partitioned(from, to)) return;
  double drop = FaultsActive() ? profile_.drop : 0;
  if (drop > 0 && Uniform() < drop) return;
  int copies = 1;
  if (FaultsActive() && profile_.duplicate > 0 && Uniform() < profile_.duplicate) copies = 2;
  for (int i = 0; i < copies; ++i) {
    TimeMs dmax = FaultsActive() ? profile_.delay_max : std::min<TimeMs>(profile_.delay_max, 10);
    TimeMs delay = profile_.delay_min + Rand(dmax - profile_.delay_min + 1);
    auto shared = std::make_shared<Bytes>(msg);
    At(now_ + delay, [this, from, to, shared] {
      Node& node = nodes_[to];
      if (!node.up || !node.host) return;
      // As the daemon: decoded once, every signature checked and the txs
      // inspected before the strand.
      auto in = Edge(node, from, *shared);
      if (in) node.host->OnMessage(std::move(*in));
    });
  }
}

void Simulation::CheckSigned(const Node& n, const Bytes& msg) {
  if (!Honest(n)) return;  // a Byzantine replica's sends go through its decorator
  if (auto v = equivocation_.Observe(n.id, msg)) Violate("equivocation", *v);
}

void Simulation::OnDeliver(Node& n, Block block, CommitCertificate cert) {
  uint64_t h = block.header.height;
  Hash hash = block.ComputeHash();
  std::string who = "replica " + std::to_string(n.id) + " height " + std::to_string(h);
  Trace("r%u deliver h=%llu txs=%zu view=%llu", n.id, static_cast<unsigned long long>(h),
        block.txs.size(), static_cast<unsigned long long>(cert.view));
  if (!Honest(n)) {
    n.exec_queue.emplace_back(std::move(block), std::move(cert));
  } else {
    if (h != n.last_delivered + 1) {
      Violate("integrity",
              who + ": delivered out of order after " + std::to_string(n.last_delivered));
    }
    if (block.header.prev_hash != n.last_delivered_hash) {
      Violate("integrity", who + ": prev_hash does not link");
    }
    if (h > 1 && block.header.timestamp_ms <= n.last_delivered_ts) {
      Violate("integrity", who + ": timestamp not increasing");
    }
    if (!block.CheckTxRoot().ok()) Violate("integrity", who + ": tx_root mismatch");
    std::string cert_bytes = ToString(cert.Encode());
    if (cert_ok_.count(cert_bytes) == 0) {
      Status st =
          cert.height != h || cert.block_hash != hash
              ? Status::Corruption("certificate is for another block")
              : cert.Verify(validators_, [this](const crypto::PublicKey& k, std::string_view tag,
                                                ByteView body, const crypto::Signature& sig) {
                  return verify_cache_.Verify(k, tag, body, sig);
                });
      if (st.ok()) {
        cert_ok_.insert(cert_bytes);
      } else {
        Violate("integrity", who + ": " + st.ToString());
      }
    }
    auto [it, fresh] = agreed_.emplace(h, hash);
    if (!fresh && it->second != hash) {
      Violate("agreement", who + ": committed " + ToHex(hash).substr(0, 16) + " but another " +
                               "honest replica committed " + ToHex(it->second).substr(0, 16));
    }
    if (fresh) {
      std::set<Hash> in_block;
      for (const Bytes& tx : block.txs) {
        auto decoded = Transaction::Decode(tx);
        Hash id = decoded.ok() ? decoded->Id() : crypto::Sha256(tx);
        if (submitted_ids_.count(id) == 0) {
          Violate("validity", who + ": tx never submitted by a client");
        }
        auto [t, new_tx] = tx_height_.emplace(id, h);
        if (!new_tx || !in_block.insert(id).second) {
          Violate("validity",
                  who + ": tx committed twice (also at height " + std::to_string(t->second) + ")");
        }
      }
    }
    n.exec_queue.emplace_back(std::move(block), std::move(cert));
  }
  n.last_delivered = h;
  n.last_delivered_hash = hash;
  n.last_delivered_ts = n.exec_queue.back().first.header.timestamp_ms;
  if (!n.exec_scheduled) {
    n.exec_scheduled = true;
    ReplicaId id = n.id;
    uint64_t inc = n.incarnation;
    At(now_ + 1 + Rand(3), [this, id, inc] { Execute(id, inc); });
  }
}

void Simulation::OnCertified(const Node& n, const consensus::CheckpointProof& certificate) {
  if (!Honest(n)) return;
  const uint64_t h = certificate.checkpoint.height;
  const std::string who = "replica " + std::to_string(n.id) + " height " + std::to_string(h);
  Status st = consensus::VerifyStateCertificate(
      validators_, certificate,
      [this](const crypto::PublicKey& k, std::string_view tag, ByteView body,
             const crypto::Signature& sig) { return verify_cache_.Verify(k, tag, body, sig); });
  // The unsafe rule certifies on one vote, which VerifyStateCertificate
  // refuses: let the root check below show what it certified.
  if (!st.ok() && !options_.unsafe_state_quorum && !options_.unsafe_fetched_certificates) {
    Violate("integrity", who + ": state certificate does not verify: " + st.ToString());
  }
  auto agreed = agreed_.find(h);
  if (agreed != agreed_.end() && agreed->second != certificate.checkpoint.block_hash) {
    Violate("certified-root",
            who + ": certified a state after another block than the committed one");
  }
  CheckCertifiedRoot(who, h, certificate.checkpoint.state_root);
}

void Simulation::CheckCertifiedRoot(const std::string& who, uint64_t h, const Hash& certified) {
  auto it = executed_roots_.find(h);
  if (it == executed_roots_.end()) {
    certified_unchecked_[h].emplace_back(who, certified);
    return;
  }
  ++certified_checked_;
  if (it->second != certified) {
    Violate("certified-root", who + ": certified root " + ToHex(certified).substr(0, 16) +
                                  " but re-execution gives " + ToHex(it->second).substr(0, 16));
  }
}

void Simulation::NoteExecutedRoot(const Node& n, uint64_t h, const Hash& root) {
  if (!Honest(n)) return;
  auto [it, fresh] = executed_roots_.emplace(h, root);
  if (!fresh && it->second != root) {
    Violate("integrity", "replica " + std::to_string(n.id) + " height " + std::to_string(h) +
                             ": execution gave another state root than another honest replica's");
  }
  if (!fresh) return;
  auto pending = certified_unchecked_.find(h);
  if (pending == certified_unchecked_.end()) return;
  auto waiting = std::move(pending->second);
  certified_unchecked_.erase(pending);
  for (const auto& [who, certified] : waiting) CheckCertifiedRoot(who, h, certified);
}

void Simulation::Execute(ReplicaId id, uint64_t inc) {
  Node& n = nodes_[id];
  if (!n.up || n.incarnation != inc) return;
  n.exec_scheduled = false;
  if (n.execution_halted) return;                       // as the daemon's driver: nothing more
  if (n.exec_queue.empty() || n.kv->crashed()) return;  // a halted node waits for its crash
  auto [block, cert] = std::move(n.exec_queue.front());
  n.exec_queue.pop_front();
  const uint64_t h = block.header.height;
  const bool more_queued = !n.exec_queue.empty();
  if (h <= n.executed_height) {
    // Already executed (a replay after a restart): report what the store has.
    auto root = n.executor->StateRootAt(h);
    if (root.ok()) n.host->OnExecuted(h, block.ComputeHash(), *root);
  } else if (h != n.executed_height + 1) {
    if (Honest(n))
      Violate("integrity",
              "replica " + std::to_string(id) + " executes " + std::to_string(h) + " out of order");
  } else {
    auto before = n.executor->StateRootAt(h > window_ ? h - window_ : 0);
    if (Honest(n) && (!before.ok() || block.header.state_root != *before)) {
      Violate("integrity", "replica " + std::to_string(id) + " height " + std::to_string(h) +
                               ": header state_root is not the state after h-W");
    }
    // The daemon's rule: a run of queued blocks is synced at its end and at checkpoints.
    const bool sync = node::SyncAfterBlock(h, more_queued, MakeConfig(id).checkpoint_interval);
    auto executed = n.executor->ExecuteBlock(block, cert, sync);
    if (!executed.ok()) {
      Violate("integrity", "replica " + std::to_string(id) + " cannot execute block " +
                               std::to_string(h) + ": " + executed.status().ToString());
      return;
    }
    n.executed_height = h;
    for (const node::ExecutedTx& tx : executed->txs) n.committed.insert(tx.id);
    NoteExecutedRoot(n, h, executed->state_root);
    n.host->OnExecuted(h, executed->block_hash, executed->state_root);
  }
  if (!n.up || n.incarnation != inc) return;
  if (!n.exec_queue.empty() && !n.exec_scheduled) {
    n.exec_scheduled = true;
    At(now_ + 1 + Rand(3), [this, id, inc] { Execute(id, inc); });
  }
}

void Simulation::Fetch(ReplicaId from, uint64_t inc, ReplicaId peer, uint64_t lo, uint64_t hi) {
  Node& p = nodes_[peer];
  if (!p.up || Partitioned(from, peer) || (p.byzantine && !p.byzantine->AnswersFetch())) {
    // No answer: the fetch times out (as the daemon's does) with nothing.
    AtHost(now_ + kFetchTimeout, from, inc, [](host::ReplicaHost& h) { h.OnFetched({}, {}); });
    return;
  }
  std::vector<std::pair<Block, CommitCertificate>> blocks;
  std::vector<consensus::CheckpointProof> state_certificates;
  for (uint64_t h = lo; h <= hi && h <= p.executed_height; ++h) {
    auto b = p.blocks->BlockByHeight(h);
    auto c = p.blocks->CertByHeight(h);
    if (!b.ok() || !c.ok() || !b->has_value() || !c->has_value()) break;
    auto block = Block::Decode(**b);
    auto cert = CommitCertificate::Decode(**c);
    if (!block.ok() || !cert.ok()) break;
    blocks.emplace_back(std::move(*block), std::move(*cert));
    // The state certificates it stored travel with the blocks, as the
    // daemon's FetchBlocks serves them.
    auto sc = p.blocks->StateCertificate(h);
    if (sc.ok() && sc->has_value()) {
      auto proof = consensus::CheckpointProof::Decode(**sc);
      if (proof.ok()) state_certificates.push_back(std::move(*proof));
    }
  }
  if (p.byzantine && p.byzantine->AnswersFetch() && !blocks.empty()) {
    blocks[0].first.txs.push_back(ToBytes("tx:forged"));
  }
  if (p.byzantine && p.byzantine->AnswersFetch()) {
    // A forged state: the votes no longer sign it.
    for (auto& sc : state_certificates) sc.checkpoint.state_root[0] ^= 1;
  }
  auto shared =
      std::make_shared<std::vector<std::pair<Block, CommitCertificate>>>(std::move(blocks));
  auto certs =
      std::make_shared<std::vector<consensus::CheckpointProof>>(std::move(state_certificates));
  AtHost(now_ + 1 + Rand(10), from, inc, [this, from, shared, certs](host::ReplicaHost& h) {
    // The daemon's fetch thread: every tx inspected (InspectFetched).
    std::vector<consensus::TxInfo> txs;
    for (const auto& [block, cert] : *shared) {
      for (const Bytes& tx : block.txs) txs.push_back(nodes_[from].verifier->Inspect(tx));
    }
    h.OnFetched(std::move(*shared), std::move(txs), std::move(*certs));
  });
}

void Simulation::HaltedCrash(ReplicaId id, const std::string& why) {
  // The host stopped (as the daemon exits): the machine goes down here and
  // comes back later from what its disk kept.
  Trace("r%u HALT: %s", id, why.c_str());
  At(now_, [this, id] { Crash(id); });
  At(std::min(now_ + 50 + Rand(400), kFaultsEnd), [this, id] { Restart(id); });
}

void Simulation::Crash(ReplicaId id) {
  Node& n = nodes_[id];
  if (!n.up) return;
  Trace("r%u CRASH (lost %zu unsynced writes, %zu unexecuted blocks)", id,
        n.kv->unsynced_write_count(), n.exec_queue.size());
  n.view_changes_total += n.host->replica().view_changes();
  n.up = false;
  n.host.reset();
  n.byzantine_transport.reset();
  n.ports.reset();
  n.executor.reset();
  n.verifier.reset();
  n.blocks.reset();
  Status undo = n.kv->SimulateCrash();  // the disk keeps what was synced
  if (!undo.ok()) Violate("integrity", "replica " + std::to_string(id) + ": " + undo.ToString());
  n.exec_queue.clear();
  n.exec_scheduled = false;
  ++n.incarnation;
}

void Simulation::Restart(ReplicaId id) {
  Node& n = nodes_[id];
  if (n.up) return;
  StartReplica(n);
  Trace("r%u RESTART at height %llu (what its disk kept)", id,
        static_cast<unsigned long long>(n.executed_height));
}

void Simulation::Submit(size_t i) {
  std::vector<ReplicaId> targets;
  for (const Node& n : nodes_) {
    if (n.up && Honest(n)) targets.push_back(n.id);
  }
  if (targets.empty()) return;
  Node& n = nodes_[targets[Rand(targets.size())]];
  Trace("client tx %zu -> r%u", i, n.id);
  // The daemon checks it before handing it in (Node::Submit).
  auto tx = Transaction::Decode(txs_[i]);
  if (!tx.ok()) return;
  const Hash id = tx->Id();
  if (n.verifier->Check(*tx, id, txs_[i]).ok()) n.host->OnRequest(txs_[i], id);
}

void Simulation::ClientRetry(size_t i) {
  const Hash& id = tx_ids_[i];
  if (tx_height_.count(id) > 0) return;  // committed by some honest replica
  Submit(i);
  At(now_ + kClientRetry, [this, i] { ClientRetry(i); });
}

bool Simulation::AllCommitted() const {
  if (submitted_count_ < txs_.size()) return false;
  for (const Node& n : nodes_) {
    if (!Honest(n)) continue;
    if (!n.up || n.committed.size() < txs_.size()) return false;
  }
  return true;
}

RunResult Simulation::Run() {
  size_t n = options_.replicas;
  size_t f = (n - 1) / 3;
  profile_ = MakeProfile(options_.profile, f);
  max_faulty_ = f;
  // Order ahead of execution: the window of the run (most runs at the
  // default of generated networks, 4; 1 is the rule of older ledgers).
  static constexpr uint64_t kWindows[] = {1, 2, 4, 4, 8};
  window_ = options_.order_ahead_window > 0 ? options_.order_ahead_window : kWindows[Rand(5)];
  crash_budget_ = 3;
  int byz = options_.byzantine >= 0 ? options_.byzantine : profile_.default_byzantine;
  // The dev network's orgs, admins and licence types, with the simulated validators.
  DevNetwork dev = MakeDevNetwork(kEpoch - 1000, "licenced-sim");
  genesis_ = dev.genesis;
  admin_keys_ = dev.admin_keys;
  genesis_.validators.clear();
  genesis_.consensus.checkpoint_interval = MakeConfigCheckpointInterval();
  nodes_.resize(n);
  for (ReplicaId i = 0; i < n; ++i) {
    crypto::Seed seed{};
    seed[0] = static_cast<uint8_t>(i);
    seed[1] = 0x5a;
    nodes_[i].id = i;
    nodes_[i].key = crypto::KeyPair::FromSeed(seed);
    validators_.keys.push_back(nodes_[i].key->public_key());
    genesis_.validators.push_back({"sim-" + std::to_string(i), kValidatorOrgs[i % 4],
                                   nodes_[i].key->public_key(),
                                   "127.0.0.1:" + std::to_string(7001 + i)});
    int64_t skew = static_cast<int64_t>(profile_.skew);
    nodes_[i].clock_offset = static_cast<int64_t>(Rand(2 * skew + 1)) - skew;
  }
  genesis_hash_ = genesis_.ComputeHash();
  // Byzantine replicas.
  std::vector<ReplicaId> ids(n);
  for (ReplicaId i = 0; i < n; ++i) ids[i] = i;
  std::shuffle(ids.begin(), ids.end(), rng_);
  if (profile_.byzantine_primary) {
    std::sort(ids.begin(), ids.end());  // replicas 0.. (the first primaries)
  }
  // One mode each (node/byzantine.h).
  const std::vector<bool node::ByzantineModes::*> mixed = {
      &node::ByzantineModes::equivocate,    &node::ByzantineModes::double_vote,
      &node::ByzantineModes::bad_signature, &node::ByzantineModes::absurd_view,
      &node::ByzantineModes::silent,        &node::ByzantineModes::replay,
      &node::ByzantineModes::flood};
  for (int b = 0; b < byz && b < static_cast<int>(n); ++b) {
    node::Byzantine::Options bo;
    auto mode =
        profile_.byzantine_primary ? &node::ByzantineModes::equivocate : mixed[Rand(mixed.size())];
    if (profile_.byzantine_primary && Rand(4) == 0) mode = &node::ByzantineModes::silent;
    if (profile_.wrong_roots) mode = &node::ByzantineModes::wrong_root;
    bo.modes.*mode = true;
    Node& node = nodes_[ids[b]];
    bo.self = node.id;
    bo.validators = n;
    bo.seed = rng_();
    node.byzantine = std::make_unique<node::Byzantine>(bo, *node.key);
    Trace("r%u is byzantine: %s", node.id, bo.modes.ToString().c_str());
  }
  // Transactions and client.
  for (size_t i = 0; i < options_.txs; ++i) {
    txs_.push_back(EnrolClerkTx(i));
    tx_ids_.push_back(Transaction::Decode(txs_.back())->Id());
    submitted_ids_[tx_ids_.back()] = i;
    TimeMs t = Rand(kLoadEnd);
    At(t, [this, i] {
      ++submitted_count_;
      Submit(i);
      At(now_ + kClientRetry, [this, i] { ClientRetry(i); });
    });
  }
  // Partitions that heal.
  side_.assign(n, 0);
  if (profile_.partition) {
    TimeMs start = Rand(1500);
    TimeMs end = start + 200 + Rand(1200);
    At(start, [this, n] {
      for (size_t i = 0; i < n; ++i) side_[i] = static_cast<int>(Rand(2));
      partition_active_ = true;
      Trace("PARTITION");
    });
    At(std::min(end, kFaultsEnd), [this] {
      partition_active_ = false;
      Trace("HEAL");
    });
  }
  // Crashes (honest replicas, so that at most f are faulty at once).
  if (profile_.crashes) {
    size_t budget = f - std::min<size_t>(f, static_cast<size_t>(std::max(byz, 0)));
    size_t crashes = 1 + Rand(3);
    TimeMs t = 0;
    for (size_t c = 0; c < crashes && budget > 0; ++c) {
      t += 100 + Rand(800);
      if (t >= kFaultsEnd - 200) break;
      std::vector<ReplicaId> candidates;
      for (const Node& node : nodes_) {
        if (Honest(node)) candidates.push_back(node.id);
      }
      ReplicaId victim = candidates[Rand(candidates.size())];
      if (Rand(2) == 0) victim = 0;  // often the first primary
      if (!Honest(nodes_[victim])) continue;
      TimeMs down = 50 + Rand(700);
      TimeMs up = std::min(t + down, kFaultsEnd);
      At(t, [this, victim] { Crash(victim); });
      At(up, [this, victim] { Restart(victim); });
      t = up;
    }
  }
  for (Node& node : nodes_) StartReplica(node);

  TimeMs deadline = kFaultsEnd + kLivenessBound;
  while (!queue_.empty()) {
    Event e = queue_.top();
    if (e.time > deadline) break;
    queue_.pop();
    now_ = e.time;
    ++events_;
    e.fn();
    if (now_ >= kLoadEnd && (events_ & 63) == 0 && AllCommitted()) break;
    if (events_ > 5'000'000) break;
  }
  bool live = AllCommitted();
  if (!live) {
    for (const Node& node : nodes_) {
      if (!Honest(node)) continue;
      if (node.committed.size() < txs_.size()) {
        Violate("liveness", "replica " + std::to_string(node.id) + " committed " +
                                std::to_string(node.committed.size()) + " of " +
                                std::to_string(txs_.size()) + " txs by t=" + std::to_string(now_) +
                                "ms (view " +
                                std::to_string(node.host ? node.host->replica().view() : 0) + ")");
      }
    }
  }
  RunResult r;
  r.seed = seed_;
  r.events = events_;
  r.votes_checked = equivocation_.size();
  // A certificate no honest replica's execution ever backed.
  for (const auto& [h, waiting] : certified_unchecked_) {
    for (const auto& [who, root] : waiting) {
      Violate("certified-root", who + ": certified root " + ToHex(root).substr(0, 16) +
                                    " that no honest replica's execution gave");
    }
  }
  r.violations = violations_;
  r.certified_roots_checked = certified_checked_;
  r.order_ahead_window = window_;
  r.sim_time_ms = now_;
  bool first = true;
  for (const Node& node : nodes_) {
    if (!Honest(node)) continue;
    uint64_t h = node.executed_height;
    r.committed_blocks_min = first ? h : std::min(r.committed_blocks_min, h);
    r.committed_blocks_max = std::max(r.committed_blocks_max, h);
    first = false;
    uint64_t vc = node.view_changes_total + (node.host ? node.host->replica().view_changes() : 0);
    r.view_changes = std::max(r.view_changes, vc);
  }
  return r;
}

}  // namespace

bool RunResult::safety_ok() const {
  for (const Violation& v : violations) {
    if (v.safety()) return false;
  }
  return true;
}

bool RunResult::liveness_ok() const {
  for (const Violation& v : violations) {
    if (!v.safety()) return false;
  }
  return true;
}

const std::vector<std::string>& ProfileNames() { return kProfiles; }

bool IsProfile(const std::string& name) {
  return std::find(kProfiles.begin(), kProfiles.end(), name) != kProfiles.end();
}

RunResult RunSimulation(const SimOptions& options, uint64_t seed) {
  (void)crypto::Init();  // libsodium; idempotent
  Simulation sim(options, seed);
  return sim.Run();
}

}  // namespace licenced::sim
