// A tiny synchronous driver for unit tests of the replica: n replicas, each in
// the ReplicaHost the daemon runs, a FIFO network with a drop filter, manual
// time, execution on ExecutePending().
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "consensus/messages.h"
#include "consensus/replica.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "node/host/replica_host.h"

namespace licenced::consensus::testing {

inline constexpr TimeMs kT0 = 1'700'000'000'000;

inline crypto::KeyPair TestKey(uint32_t i) {
  crypto::Seed seed{};
  seed[0] = static_cast<uint8_t>(i);
  seed[1] = 0x77;
  return crypto::KeyPair::FromSeed(seed);
}

inline Bytes Tx(int i) { return ToBytes("tx-" + std::to_string(i)); }

// The harness's host edge: a test tx is valid iff it starts with 't' and has
// more than 3 bytes; its id is SHA-256 of its bytes.
inline TxInfo InspectTestTx(ByteView tx) {
  return TxInfo{crypto::Sha256(tx), tx.size() > 3 && tx[0] == 't'};
}

// A peer's message as the harness's host hands it in: decoded, signatures
// not checked (the replica checks them), carried txs inspected. Nothing if
// it does not decode.
inline std::optional<InboundMessage> TestInbound(ReplicaId from, ByteView bytes,
                                                 bool signatures_checked = false) {
  auto m = SignedMessage::Decode(bytes);
  if (!m.ok()) return std::nullopt;
  InboundMessage in{from, std::move(*m), signatures_checked, {}};
  for (const Bytes& tx : CarriedTxs(in.envelope)) in.txs.push_back(InspectTestTx(tx));
  return in;
}

inline std::vector<TxInfo> InspectTestBlocks(
    const std::vector<std::pair<Block, CommitCertificate>>& blocks) {
  std::vector<TxInfo> out;
  for (const auto& [b, c] : blocks) {
    for (const Bytes& tx : b.txs) out.push_back(InspectTestTx(tx));
  }
  return out;
}

struct Msg {
  ReplicaId from;
  ReplicaId to;
  Bytes bytes;
  MsgType type() const {
    auto m = SignedMessage::Decode(bytes);
    return m.ok() ? m->type : MsgType::kStatus;
  }
};

class Cluster {
 public:
  struct Node;

  // Cluster's side of one node's host ports.
  class Ports final : public host::Transport,
                      public host::TimerPort,
                      public host::ExecutionQueue,
                      public host::BlockFetcher,
                      public host::ConsensusLogPort,
                      public host::Clock,
                      public host::HostListener {
   public:
    Ports(Cluster* c, uint32_t i) : c_(c), i_(i) {}
    void Send(ReplicaId to, const Bytes& m) override { c_->net.push_back({i_, to, m}); }
    void Broadcast(const Bytes& m) override {
      for (uint32_t to = 0; to < c_->nodes_.size(); ++to) {
        if (to != i_) c_->net.push_back({i_, to, m});
      }
    }
    void Arm(TimerId id, uint64_t generation, TimeMs deadline) override {
      c_->nodes_[i_].timers[id] = deadline;
      c_->nodes_[i_].timer_generation[id] = generation;
    }
    void Cancel(TimerId id) override { c_->nodes_[i_].timers.erase(id); }
    void Enqueue(Deliver d) override {
      c_->executions_.push_back({i_, std::move(d.block), std::move(d.cert)});
    }
    void Certified(consensus::Certified c) override {
      c_->nodes_[i_].certified.push_back(std::move(c.certificate));
    }
    void HaltExecution(const consensus::HaltExecution& h) override {
      c_->nodes_[i_].execution_halts.push_back(h.reason);
    }
    bool Fetch(ReplicaId peer, uint64_t from, uint64_t to) override {
      c_->nodes_[i_].fetches.push_back(FetchBlocks{peer, from, to});
      return true;
    }
    Status Write(const std::vector<std::pair<std::string, Bytes>>& batch) override {
      for (const auto& [k, v] : batch) {
        if (v.empty()) {
          c_->nodes_[i_].persisted.erase(k);
        } else {
          c_->nodes_[i_].persisted[k] = v;
        }
      }
      return Status::Ok();
    }
    Status Sync() override { return Status::Ok(); }
    TimeMs Now() override { return c_->now; }
    void OnEffect(const Effect& e) override { c_->nodes_[i_].log.push_back(e); }
    // Persist-then-restore equality after every input (consensus/replica.h).
    void AfterStep() override {
      Node& n = c_->nodes_[i_];
      if (!c_->check_restore || !n.host || n.host->halted()) return;
      std::vector<std::pair<std::string, Bytes>> p(n.persisted.begin(), n.persisted.end());
      Status s = n.host->replica().CheckRestoresFrom(p);
      if (!s.ok())
        c_->restore_failures.push_back("replica " + std::to_string(i_) + ": " + s.message());
    }

   private:
    Cluster* c_;
    uint32_t i_;
  };

  struct Node {
    std::unique_ptr<Ports> ports;
    std::unique_ptr<host::ReplicaHost> host;
    bool up = true;
    std::map<std::string, Bytes> persisted;
    std::vector<std::pair<Block, CommitCertificate>> chain;
    std::vector<Hash> roots;
    std::set<Hash> committed;
    std::vector<consensus::CheckpointProof> certified;  // state certificates, as emitted
    std::vector<std::string> execution_halts;
    std::map<TimerId, TimeMs> timers;  // armed timers and their deadlines
    std::map<TimerId, uint64_t> timer_generation;
    std::vector<Effect> log;  // every effect, in order
    std::vector<FetchBlocks> fetches;
  };

  // After each input of each host: restoring from what the replica persisted
  // gives back its durable state. Failures are collected here; the destructor
  // fails the test that saw them. Off for tests that feed a replica directly
  // and drop its effects (its memory is then ahead of what it persisted).
  bool check_restore = true;
  std::vector<std::string> restore_failures;
  ~Cluster() {
    for (const std::string& f : restore_failures) FAIL_CHECK("persist-then-restore: " << f);
  }

  explicit Cluster(size_t n, std::function<void(ReplicaConfig&)> tweak = nullptr)
      : tweak_(std::move(tweak)) {
    for (uint32_t i = 0; i < n; ++i) validators_.keys.push_back(TestKey(i).public_key());
    nodes_.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      nodes_[i].roots.push_back(GenesisRoot());
      Boot(i);
    }
  }

  static Hash GenesisHash() { return crypto::Sha256(AsBytes("genesis")); }
  static Hash GenesisRoot() { return crypto::Sha256(AsBytes("root")); }
  const ValidatorSet& validators() const { return validators_; }

  ReplicaConfig Config(uint32_t i) {
    ReplicaConfig c;
    c.validators = validators_;
    c.self = i;
    c.max_batch_txs = 10;
    c.max_batch_wait = 5;
    c.checkpoint_interval = 4;
    c.watermark_window = 16;
    c.view_change_timeout = 1000;
    c.max_clock_skew = 1000;
    c.status_interval = 250;
    c.genesis_hash = GenesisHash();
    c.genesis_time_ms = kT0 - 1000;
    Node* node = &nodes_[i];
    if (!node->chain.empty())
      c.executed_block_timestamp = node->chain.back().first.header.timestamp_ms;
    // What a restarted host reads from its store: the last blocks' txs.
    const size_t n = node->chain.size();
    for (size_t k = n > c.committed_id_window ? n - c.committed_id_window : 0; k < n; ++k) {
      consensus::CommittedBlockTxs b{k + 1, {}};
      for (const Bytes& tx : node->chain[k].first.txs) b.ids.push_back(crypto::Sha256(tx));
      c.recently_committed.push_back(std::move(b));
    }
    if (tweak_) tweak_(c);
    // And the state roots within the order-ahead window.
    const size_t w = c.order_ahead_window;
    for (size_t k = n >= w ? n - w + 1 : 0; k < n; ++k)
      c.recent_state_roots.emplace_back(k, node->roots[k]);
    return c;
  }

  // (Re)creates replica i from its persisted state and executed chain.
  void Boot(uint32_t i) {
    Node& n = nodes_[i];
    std::vector<std::pair<std::string, Bytes>> p(n.persisted.begin(), n.persisted.end());
    uint64_t h = n.chain.size();
    Hash hash = h == 0 ? GenesisHash() : n.chain.back().first.ComputeHash();
    auto r = Replica::Create(Config(i), TestKey(i), p, h, hash, n.roots.back());
    n.ports = std::make_unique<Ports>(this, i);
    host::HostPorts ports;
    ports.transport = n.ports.get();
    ports.timers = n.ports.get();
    ports.execution = n.ports.get();
    ports.fetcher = n.ports.get();
    ports.log = n.ports.get();
    ports.clock = n.ports.get();
    ports.listener = n.ports.get();
    n.up = true;
    n.timers.clear();
    n.timer_generation.clear();
    n.fetches.clear();
    n.host = std::make_unique<host::ReplicaHost>(std::move(r).value(), ports, host::HostOptions{});
    n.host->Start();
  }

  void Crash(uint32_t i) {
    nodes_[i].up = false;
    nodes_[i].host.reset();
    nodes_[i].ports.reset();
    nodes_[i].timers.clear();
  }

  Replica& R(uint32_t i) { return nodes_[i].host->mutable_replica(); }
  host::ReplicaHost& H(uint32_t i) { return *nodes_[i].host; }
  Node& N(uint32_t i) { return nodes_[i]; }
  size_t size() const { return nodes_.size(); }

  // Runs effects a test got from calling R(i) directly, through node i's host.
  void Apply(uint32_t i, std::vector<Effect> effects) {
    nodes_[i].host->Interpret(std::move(effects));
  }

  // Executes delivered blocks (in order) and hands the results back; while
  // `hold_execution`, delivered blocks wait (execution slower than ordering).
  // A node in `diverging` computes other roots than the rest from block
  // `diverge_from` on (a replica whose execution is broken).
  bool hold_execution = false;
  std::set<uint32_t> diverging;
  uint64_t diverge_from = 1;
  void ExecutePending() {
    while (!executions_.empty() && !hold_execution) {
      auto [i, block, cert] = executions_.front();
      executions_.pop_front();
      Node& n = nodes_[i];
      if (!n.up || block.header.height != n.chain.size() + 1) continue;
      Hash hash = block.ComputeHash();
      Hash root = crypto::Sha256(Writer().Raw(n.roots.back()).Raw(hash).Take());
      if (diverging.count(i) > 0 && block.header.height >= diverge_from) root[0] ^= 0x01;
      for (const Bytes& tx : block.txs) n.committed.insert(crypto::Sha256(tx));
      n.roots.push_back(root);
      n.chain.emplace_back(block, cert);
      n.host->OnExecuted(block.header.height, hash, root);
    }
  }

  // Delivers queued messages until the network is quiet.
  void Run(size_t max_steps = 100000) {
    for (size_t step = 0; step < max_steps; ++step) {
      ExecutePending();
      if (net.empty()) return;
      Msg m = std::move(net.front());
      net.pop_front();
      if (filter && !filter(m)) continue;
      Node& n = nodes_[m.to];
      if (!n.up) continue;
      if (auto in = TestInbound(m.from, m.bytes)) n.host->OnMessage(std::move(*in));
    }
  }

  // Moves time forward in `step` increments, firing due timers and running.
  void Advance(TimeMs ms, TimeMs step = 10) {
    TimeMs end = now + ms;
    while (now < end) {
      now = std::min(end, now + step);
      for (uint32_t i = 0; i < nodes_.size(); ++i) {
        Node& n = nodes_[i];
        if (!n.up) continue;
        std::vector<TimerId> due;
        for (auto [id, deadline] : n.timers) {
          if (deadline <= now) due.push_back(id);
        }
        for (TimerId id : due) {
          n.timers.erase(id);
          n.host->OnTimer(id, n.timer_generation[id]);
        }
      }
      Run();
    }
  }

  // As a node's client edge: only a valid tx is handed in.
  void Submit(uint32_t i, Bytes tx) {
    TxInfo info = InspectTestTx(tx);
    if (info.valid) nodes_[i].host->OnRequest(std::move(tx), info.id);
  }

  // Answers replica i's outstanding FetchBlocks from the peers' chains.
  void AnswerFetches(uint32_t i) {
    auto fetches = std::move(nodes_[i].fetches);
    nodes_[i].fetches.clear();
    for (const FetchBlocks& f : fetches) {
      std::vector<std::pair<Block, CommitCertificate>> blocks;
      const auto& chain = nodes_[f.peer].chain;
      for (uint64_t h = f.from_height; h <= f.to_height && h <= chain.size(); ++h) {
        blocks.push_back(chain[h - 1]);
      }
      std::vector<TxInfo> txs = InspectTestBlocks(blocks);
      nodes_[i].host->OnFetched(std::move(blocks), std::move(txs));
    }
    Run();
  }

  SignedMessage Sign(uint32_t signer, MsgType type, Bytes body) const {
    return SignedMessage::Sign(type, signer, std::move(body), TestKey(signer));
  }
  // Hands `bytes` from `from` straight to replica `to` (as its host would);
  // the effects are returned for the test to look at or Apply.
  std::vector<Effect> Feed(uint32_t to, uint32_t from, ByteView bytes,
                           bool signatures_checked = false) {
    auto in = TestInbound(from, bytes, signatures_checked);
    if (!in) return {};
    return R(to).OnMessage(std::move(*in), now);
  }
  void Inject(uint32_t from, uint32_t to, const SignedMessage& m) {
    if (auto in = TestInbound(from, m.Encode())) nodes_[to].host->OnMessage(std::move(*in));
  }

  std::deque<Msg> net;
  std::function<bool(const Msg&)> filter;
  TimeMs now = kT0;

 private:
  struct Exec {
    uint32_t node;
    Block block;
    CommitCertificate cert;
  };
  std::function<void(ReplicaConfig&)> tweak_;
  ValidatorSet validators_;
  std::vector<Node> nodes_;
  std::deque<Exec> executions_;
};

// Effects of one type from a log.
template <typename T>
std::vector<T> EffectsOf(const std::vector<Effect>& log) {
  std::vector<T> out;
  for (const Effect& e : log) {
    if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
  }
  return out;
}

}  // namespace licenced::consensus::testing
