// What one transaction costs a backup node, counted with the operation
// counters (core/op_counters.h; the hook exists only in test binaries): the
// daemon's own pieces (PreVerifyInbound at the edge, the ReplicaHost with the
// daemon's ReplicaConfig on the strand, the Executor) take a RequestBatch, the
// primary's PrePrepare, the prepares and commits, and execute the block.
#include <catch2/catch.hpp>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "consensus/messages.h"
#include "consensus/replica.h"
#include "core/genesis.h"
#include "core/merkle.h"
#include "core/transaction.h"
#include "node/executor.h"
#include "node/host/replica_host.h"
#include "node/inbound.h"
#include "node/storage/mem_kv_store.h"
#include "node/tx_verifier.h"
#include "tests/unit/support/op_counts.h"

using namespace licenced;
using consensus::MsgType;
using testing::OpCountDelta;

namespace {

// Ports that keep what the replica asks for and do nothing else.
struct QuietPorts final : host::Transport,
                          host::TimerPort,
                          host::ExecutionQueue,
                          host::BlockFetcher,
                          host::ConsensusLogPort,
                          host::Clock {
  void Send(consensus::ReplicaId, const Bytes&) override {}
  void Broadcast(const Bytes&) override {}
  void Arm(consensus::TimerId, uint64_t, consensus::TimeMs) override {}
  void Cancel(consensus::TimerId) override {}
  void Enqueue(consensus::Deliver d) override { delivered.push_back(std::move(d)); }
  void Certified(consensus::Certified) override {}
  void HaltExecution(const consensus::HaltExecution&) override {}
  bool Fetch(consensus::ReplicaId, uint64_t, uint64_t) override { return false; }
  Status Write(const std::vector<std::pair<std::string, Bytes>>&) override { return Status::Ok(); }
  Status Sync() override { return Status::Ok(); }
  consensus::TimeMs Now() override { return now; }

  consensus::TimeMs now = 0;
  std::vector<consensus::Deliver> delivered;
};

}  // namespace

TEST_CASE("a backup reads no store on the strand and checks each client signature once",
          "[node][cost]") {
  REQUIRE(crypto::Init().ok());
  DevNetwork net = MakeDevNetwork();
  consensus::ValidatorSet validators;
  for (const auto& v : net.genesis.validators) validators.keys.push_back(v.public_key);
  const Hash genesis_hash = net.genesis.ComputeHash();

  storage::MemKvStore kv;
  auto store = storage::BlockStore::Open(&kv, genesis_hash);
  REQUIRE(store.ok());
  node::Executor executor(net.genesis, store->get());
  node::TxVerifier verifier(net.genesis.network_id, /*threads=*/1);
  executor.SetSignatureCache(
      [&](const Hash& id, const crypto::Signature& sig) { return verifier.Verified(id, sig); });
  executor.SetCheckedTxLookup([&](ByteView encoded) { return verifier.Lookup(encoded); });

  // The daemon's replica config (node/node.cc), as backup 1 of view 0.
  consensus::ReplicaConfig rc;
  rc.validators = validators;
  rc.self = 1;
  rc.checkpoint_interval = net.genesis.consensus.checkpoint_interval;
  rc.watermark_window = net.genesis.consensus.watermark_window;
  auto recent = node::RecentlyCommittedTxs(**store, rc.committed_id_window);
  REQUIRE(recent.ok());
  rc.recently_committed = std::move(*recent);
  rc.genesis_hash = genesis_hash;
  rc.genesis_time_ms = net.genesis.genesis_time_ms;
  auto replica = consensus::Replica::Create(rc, net.validator_keys[1], {}, 0, genesis_hash,
                                            node::EmptyStateRoot());
  REQUIRE(replica.ok());
  QuietPorts ports;
  ports.now = net.genesis.genesis_time_ms + 10'000;
  host::HostPorts hp{&ports, &ports, &ports, &ports, &ports, &ports, nullptr};
  host::ReplicaHost host(std::move(*replica), hp, host::HostOptions{});
  host.Start();

  constexpr size_t kTxs = 200;
  std::vector<Bytes> txs;
  for (size_t i = 0; i < kTxs; ++i) {
    Transaction tx;
    tx.network_id = net.genesis.network_id;
    tx.chaincode = "identity";
    tx.method = "enrol_clerk";
    nlohmann::json args = {{"name", "clerk-" + std::to_string(i)},
                           {"public_key", ToHex(crypto::KeyPair::Generate().public_key())},
                           {"roles", {"clerk"}}};
    tx.args = ToBytes(args.dump());
    tx.nonce = i + 1;
    tx.SignWith(net.admin_keys.at("market"));
    txs.push_back(tx.Encode());
  }
  auto sign = [&](uint32_t from, MsgType type, Bytes body) {
    return consensus::SignedMessage::Sign(type, from, std::move(body), net.validator_keys[from])
        .Encode();
  };
  consensus::Block block;
  block.header.height = 1;
  block.header.prev_hash = genesis_hash;
  block.header.timestamp_ms = ports.now;
  block.header.tx_root = merkle::Root(txs);
  block.header.state_root = node::EmptyStateRoot();
  block.header.proposer = 0;
  block.txs = txs;
  const Hash digest = block.ComputeHash();
  const std::vector<std::pair<uint32_t, Bytes>> inbox = {
      {2, sign(2, MsgType::kRequestBatch, consensus::RequestBatchMsg{txs}.Encode())},
      {0, sign(0, MsgType::kPrePrepare, consensus::PrePrepareMsg{0, block}.Encode())},
      {2, sign(2, MsgType::kPrepare, consensus::VoteMsg{0, 1, digest}.Encode())},
      {3, sign(3, MsgType::kPrepare, consensus::VoteMsg{0, 1, digest}.Encode())},
      {0, sign(0, MsgType::kCommit, consensus::VoteMsg{0, 1, digest}.Encode())},
      {2, sign(2, MsgType::kCommit, consensus::VoteMsg{0, 1, digest}.Encode())},
      {3, sign(3, MsgType::kCommit, consensus::VoteMsg{0, 1, digest}.Encode())},
  };

  uint64_t edge_decodes = 0, edge_ids = 0, edge_verifies = 0;
  uint64_t strand_decodes = 0, strand_ids = 0, strand_reads = 0, strand_verifies = 0;
  for (const auto& [from, wire] : inbox) {
    OpCountDelta edge;
    auto in = node::PreVerifyInbound(validators, verifier, from, wire);  // a gRPC reader thread
    REQUIRE(in.has_value());
    edge_decodes += edge[Op::kTxDecode];
    edge_ids += edge[Op::kTxIdHash];
    edge_verifies += edge[Op::kSignatureVerify];
    OpCountDelta strand;
    host.OnMessage(std::move(*in));  // the strand
    strand_decodes += strand[Op::kTxDecode];
    strand_ids += strand[Op::kTxIdHash];
    strand_reads += strand[Op::kStoreRead];
    strand_verifies += strand[Op::kSignatureVerify];
  }
  REQUIRE(ports.delivered.size() == 1);

  OpCountDelta exec;  // the execution thread
  auto executed = executor.ExecuteBlock(ports.delivered[0].block, ports.delivered[0].cert);
  REQUIRE(executed.ok());
  const uint64_t exec_decodes = exec[Op::kTxDecode], exec_ids = exec[Op::kTxIdHash];
  const uint64_t exec_verifies = exec[Op::kSignatureVerify];
  for (const auto& tx : executed->txs) CHECK(tx.record.code == StatusCode::kOk);
  OpCountDelta after;
  host.OnExecuted(1, executed->block_hash, executed->state_root);
  strand_reads += after[Op::kStoreRead];

  const double n = kTxs;
  std::printf(
      "backup path per tx: edge %.2f decodes %.2f id hashes; strand %.2f decodes %.2f id hashes "
      "%.2f store reads; execution %.2f decodes %.2f id hashes; client signature checks %.2f\n",
      edge_decodes / n, edge_ids / n, strand_decodes / n, strand_ids / n, strand_reads / n,
      exec_decodes / n, exec_ids / n, (edge_verifies + strand_verifies + exec_verifies) / n);
  // The consensus messages' own signatures: 7 envelopes, checked at the edge.
  CHECK(strand_verifies == 0);
  CHECK(strand_reads == 0);
  // Each client signature is checked once per node (the edge; the executor
  // finds the verdict in the TxVerifier cache).
  CHECK(edge_verifies == kTxs + inbox.size());
  CHECK(exec_verifies == 0);
  // One decode and one id hash per transaction and node: at the edge, the
  // first message that carries it (the RequestBatch); the PrePrepare's copy
  // and the executor find it in the TxVerifier cache by its bytes, and the
  // replica takes the id with the message.
  CHECK(strand_decodes == 0);
  CHECK(strand_ids == 0);
  CHECK(edge_decodes + strand_decodes + exec_decodes == kTxs);
  CHECK(edge_ids + strand_ids + exec_ids == kTxs);
}
