// Per-transaction cost of the normal case: consensus messages, signatures and
// signature checks per committed tx with 2,000-tx blocks on 4 replicas.
// Prints the figures (docs/consensus.md records them); asserts only bounds
// that a regression to per-tx request messages would break.
#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>

#include "tests/unit/consensus/harness.h"
#include "tests/unit/support/op_counts.h"

namespace licenced::consensus {
namespace {

using testing::Cluster;

struct Counts {
  size_t messages = 0;          // deliveries on the network (one per receiver)
  size_t signatures = 0;        // distinct signed messages emitted
  size_t request_messages = 0;  // Request / RequestBatch deliveries
  size_t bytes = 0;
};

}  // namespace

TEST_CASE("normal-case cost per committed tx at 2000-tx blocks", "[consensus][cost]") {
  Cluster c(4, [](ReplicaConfig& cfg) { cfg.max_batch_txs = 2000; });
  Counts counts;
  std::set<crypto::Signature> signatures;
  c.filter = [&](const testing::Msg& m) {
    auto d = SignedMessage::Decode(m.bytes);
    if (!d.ok()) return true;
    ++counts.messages;
    counts.bytes += m.bytes.size();
    signatures.insert(d->signature);
    if (d->type == MsgType::kRequest || d->type == MsgType::kRequestBatch) {
      ++counts.request_messages;
    }
    return true;
  };
  constexpr int kTxs = 8000;
  licenced::testing::OpCountDelta verifications;  // every Ed25519 check in the process
  for (int i = 0; i < kTxs; ++i) c.Submit(static_cast<uint32_t>(i % 4), testing::Tx(i));
  for (int round = 0; round < 200 && c.N(0).committed.size() < kTxs; ++round) c.Advance(10, 10);
  for (uint32_t i = 0; i < 4; ++i) REQUIRE(c.N(i).committed.size() == kTxs);
  counts.signatures = signatures.size();
  double tx = kTxs;
  std::printf(
      "cost at 2000-tx blocks, n=4, %d txs, %zu blocks: %.3f messages/tx, %.4f signatures/tx, "
      "%.3f verifications/tx, %.3f request messages/tx, %.0f bytes/tx\n",
      kTxs, c.N(0).chain.size(), counts.messages / tx, counts.signatures / tx,
      verifications[Op::kSignatureVerify] / tx, counts.request_messages / tx, counts.bytes / tx);
  CHECK(c.N(0).chain.size() >= 4);
  // Per-tx request messages (before batching: 3.0 messages, 1.0 signature and
  // 3.0 verifications per tx) are gone; what is left is per block / batch.
  CHECK(counts.request_messages / tx < 0.05);
  CHECK(counts.signatures / tx < 0.05);
  CHECK(verifications[Op::kSignatureVerify] / tx < 0.1);
}

}  // namespace licenced::consensus
