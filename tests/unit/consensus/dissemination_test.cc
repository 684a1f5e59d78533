// Request dissemination (RequestBatch), the message size cap, view changes
// and new views by digest, block bodies fetched with BlockRequest, and
// signature checks done by the host (InboundMessage::signatures_checked).
#include <catch2/catch.hpp>
#include <cstdio>

#include "consensus/replica_core.h"
#include "core/merkle.h"
#include "tests/sim/test_access.h"
#include "tests/unit/consensus/harness.h"
#include "tests/unit/support/op_counts.h"

namespace licenced::consensus {
namespace {

using testing::Cluster;
using testing::EffectsOf;
using testing::Tx;

size_t Count(Cluster& c, uint32_t i, MsgType type) {
  size_t n = 0;
  for (const Effect& e : c.N(i).log) {
    const Bytes* wire = nullptr;
    if (auto* b = std::get_if<Broadcast>(&e)) wire = &b->message;
    if (auto* s = std::get_if<SendTo>(&e)) wire = &s->message;
    if (wire == nullptr) continue;
    auto m = SignedMessage::Decode(*wire);
    if (m.ok() && m->type == type) ++n;
  }
  return n;
}

// A block of `ntx` txs of `tx_bytes` bytes each at `height`.
Block BigBlock(uint64_t height, size_t ntx, size_t tx_bytes) {
  Block b;
  for (size_t i = 0; i < ntx; ++i) {
    Bytes tx(tx_bytes, static_cast<uint8_t>('a' + i % 26));
    tx[0] = 't';
    std::string tag = std::to_string(height) + ":" + std::to_string(i);
    std::copy(tag.begin(), tag.end(), tx.begin() + 1);
    b.txs.push_back(std::move(tx));
  }
  b.header.height = height;
  b.header.prev_hash = crypto::Sha256(AsBytes("prev" + std::to_string(height)));
  b.header.timestamp_ms = testing::kT0 + height;
  b.header.tx_root = merkle::Root(b.txs);
  b.header.state_root = crypto::Sha256(AsBytes("root"));
  b.header.proposer = 0;
  return b;
}

// Gives replica `i` prepared certificates (view 0, primary 0, prepares from
// 1..2f) for heights 1..count, with blocks of ntx x tx_bytes.
void GivePreparedCerts(Cluster& c, uint32_t i, uint64_t count, size_t ntx, size_t tx_bytes) {
  ReplicaCore& core = ReplicaTestAccess::MutableCore(c.R(i));
  for (uint64_t h = 1; h <= count; ++h) {
    Block b = BigBlock(h, ntx, tx_bytes);
    Hash d = b.ComputeHash();
    Slot& s = core.log_[h];
    s.pcert = PreparedCert{c.Sign(0, MsgType::kPrePrepare, PrePrepareMsg{0, std::move(b)}.Encode()),
                           {c.Sign(1, MsgType::kPrepare, VoteMsg{0, h, d}.Encode()),
                            c.Sign(2, MsgType::kPrepare, VoteMsg{0, h, d}.Encode())}};
    s.pcert_view = 0;
  }
}

Bytes ViewChangeSent(Cluster& c, uint32_t i) {
  Bytes out;
  for (const Broadcast& b : EffectsOf<Broadcast>(c.N(i).log)) {
    auto m = SignedMessage::Decode(b.message);
    if (m.ok() && m->type == MsgType::kViewChange) out = b.message;
  }
  return out;
}

}  // namespace

TEST_CASE("requests are broadcast in batches, one signature per batch", "[consensus][batch]") {
  Cluster c(4, [](ReplicaConfig& cfg) {
    cfg.max_batch_txs = 1000;
    cfg.max_request_batch_txs = 100;
    cfg.request_flush_wait = 3;
  });
  for (int i = 0; i < 250; ++i) c.Submit(2, Tx(i));
  // Two full batches went out at once; the rest waits for the flush timer.
  CHECK(Count(c, 2, MsgType::kRequestBatch) == 2);
  CHECK(Count(c, 2, MsgType::kRequest) == 0);
  CHECK(c.N(2).timers.count(kTimerRequestFlush) == 1);
  c.Advance(10, 1);
  CHECK(Count(c, 2, MsgType::kRequestBatch) == 3);
  c.Advance(100);
  for (uint32_t i = 0; i < 4; ++i) CHECK(c.N(i).committed.size() == 250);
}

TEST_CASE("an oversize request batch is rejected on receipt, a single Request still works",
          "[consensus][batch]") {
  Cluster c(4);
  c.filter = [](const testing::Msg&) { return false; };
  RequestBatchMsg big;
  for (size_t i = 0; i <= kMaxRequestBatchTxs; ++i) big.txs.push_back(Tx(static_cast<int>(i)));
  c.Inject(1, 0, c.Sign(1, MsgType::kRequestBatch, big.Encode()));
  CHECK(c.R(0).pending_requests() == 0);
  RequestBatchMsg fat{{Bytes(kMaxRequestBatchBytes, 't')}};
  c.Inject(1, 0, c.Sign(1, MsgType::kRequestBatch, fat.Encode()));
  CHECK(c.R(0).pending_requests() == 0);
  RequestBatchMsg ok;
  for (int i = 0; i < 5; ++i) ok.txs.push_back(Tx(i));
  c.Inject(1, 0, c.Sign(1, MsgType::kRequestBatch, ok.Encode()));
  CHECK(c.R(0).pending_requests() == 5);
  c.Inject(2, 0, c.Sign(2, MsgType::kRequest, RequestMsg{Tx(99)}.Encode()));  // old form
  CHECK(c.R(0).pending_requests() == 6);
}

TEST_CASE("a pre-prepare whose txs do not match tx_root is not accepted", "[consensus][batch]") {
  Cluster c(4);
  c.filter = [](const testing::Msg&) { return false; };
  Block b;
  b.header.height = 1;
  b.header.prev_hash = Cluster::GenesisHash();
  b.header.timestamp_ms = c.now;
  b.txs = {Tx(1)};
  b.header.tx_root = merkle::Root(b.txs);
  b.header.state_root = Cluster::GenesisRoot();
  SignedMessage pp = c.Sign(0, MsgType::kPrePrepare, PrePrepareMsg{0, b}.Encode());
  // Swap the txs: the signature (view || header) still verifies.
  Block forged = b;
  forged.txs = {Tx(2)};
  SignedMessage bad = pp;
  bad.body = PrePrepareMsg{0, forged}.Encode();
  REQUIRE(bad.Verify(c.validators(), nullptr).ok());
  c.Inject(0, 1, bad);
  CHECK(Count(c, 1, MsgType::kPrepare) == 0);
  c.Inject(0, 1, StripPrePrepare(pp));  // a digest-only pre-prepare is no proposal
  CHECK(Count(c, 1, MsgType::kPrepare) == 0);
  c.Inject(0, 1, pp);
  CHECK(Count(c, 1, MsgType::kPrepare) == 1);
}

TEST_CASE("a view change after 64 prepared full blocks stays under the message cap",
          "[consensus][viewchange][size]") {
  Cluster c(4, [](ReplicaConfig& cfg) {
    cfg.checkpoint_interval = 64;
    cfg.watermark_window = 128;
  });
  c.filter = [](const testing::Msg&) { return false; };
  // The certificates are planted in memory only, never persisted.
  c.check_restore = false;
  // 64 blocks of 2000 txs x 512 bytes (~1 MiB each, ~64 MiB of bodies: the
  // old encoding carried them all) at replica 1; 1-tx blocks at replica 2.
  constexpr size_t kTxs = 2000, kTxBytes = 512;
  GivePreparedCerts(c, 1, 64, kTxs, kTxBytes);
  GivePreparedCerts(c, 2, 64, 1, 16);
  for (uint32_t i : {1u, 2u}) {
    ReplicaCore& core = ReplicaTestAccess::MutableCore(c.R(i));
    core.StartViewChange(1, c.now);
    c.Apply(i, core.TakeEffects());
  }
  Bytes vc1 = ViewChangeSent(c, 1), vc2 = ViewChangeSent(c, 2);
  size_t bodies = 64 * (kTxs * (kTxBytes + 4));
  std::printf("ViewChange with 64 prepared certificates: %zu bytes (bodies: %zu bytes)\n",
              vc1.size(), bodies);
  REQUIRE(!vc1.empty());
  CHECK(vc1.size() <= kMaxMessageBytes);
  CHECK(vc1.size() < 64 * 1024);
  CHECK(vc1.size() == vc2.size());  // independent of the block size
  auto m = SignedMessage::Decode(vc1);
  REQUIRE(m.ok());
  auto vc = ViewChangeMsg::Decode(m->body);
  REQUIRE(vc.ok());
  CHECK(vc->prepared.size() == 64);
  // The digest form is valid: replica 3 accepts it (it counts towards a join).
  c.Inject(1, 3, *m);
  CHECK(ReplicaTestAccess::Core(c.R(3)).view_change_msgs_.count(1) == 1);
  // A certificate that carries a body is refused (it could be unbounded).
  ViewChangeMsg fat = *vc;
  fat.prepared[0].pre_prepare =
      c.Sign(0, MsgType::kPrePrepare, PrePrepareMsg{0, BigBlock(1, 2, 8)}.Encode());
  c.Inject(2, 3, c.Sign(2, MsgType::kViewChange, fat.Encode()));
  CHECK(ReplicaTestAccess::Core(c.R(3)).view_change_msgs_.count(2) == 0);
  // The NewView built from three view-changes (two with 64 certificates) is
  // also small.
  ReplicaCore& core3 = ReplicaTestAccess::MutableCore(c.R(3));
  core3.StartViewChange(1, c.now);
  c.Apply(3, core3.TakeEffects());
  for (uint32_t i : {2u, 3u}) {
    Bytes sent = ViewChangeSent(c, i);
    REQUIRE(!sent.empty());
    c.Apply(1, c.Feed(1, i, sent));
  }
  Bytes nv;
  for (const Broadcast& b : EffectsOf<Broadcast>(c.N(1).log)) {
    auto d = SignedMessage::Decode(b.message);
    if (d.ok() && d->type == MsgType::kNewView) nv = b.message;
  }
  std::printf("NewView re-proposing 64 blocks: %zu bytes\n", nv.size());
  REQUIRE(!nv.empty());
  CHECK(nv.size() <= kMaxMessageBytes);
  CHECK(c.R(1).view() == 1);
  CHECK_FALSE(c.R(1).in_view_change());
}

TEST_CASE("a replica that lacks a re-proposed body fetches it and commits",
          "[consensus][viewchange][body]") {
  Cluster c(4);
  // Replica 3 never sees the pre-prepare; nobody sees a commit: block 1 is
  // prepared at 0, 1 and 2 only.
  c.filter = [](const testing::Msg& m) {
    auto t = m.type();
    if (t == MsgType::kPrePrepare && m.to == 3) return false;
    return t != MsgType::kCommit;
  };
  c.Submit(0, Tx(1));
  c.Advance(20);
  REQUIRE(c.N(1).chain.empty());
  c.Crash(0);  // the primary goes; view 1 (primary 1) re-proposes block 1
  c.filter = nullptr;
  c.Advance(4000);
  CHECK(c.R(3).view() >= 1);
  REQUIRE(c.N(3).chain.size() == 1);
  CHECK(c.N(3).chain[0].first.txs == std::vector<Bytes>{Tx(1)});
  CHECK(c.N(3).chain[0].first.ComputeHash() == c.N(1).chain[0].first.ComputeHash());
  CHECK(Count(c, 3, MsgType::kBlockRequest) >= 1);
  CHECK(Count(c, 1, MsgType::kBlockResponse) + Count(c, 2, MsgType::kBlockResponse) >= 1);
}

TEST_CASE("a message whose signatures the host checked is not verified again",
          "[consensus][verify]") {
  Cluster c(4);
  c.filter = [](const testing::Msg&) { return false; };
  SignedMessage rb = c.Sign(1, MsgType::kRequestBatch, RequestBatchMsg{{Tx(1), Tx(2)}}.Encode());
  Bytes wire = rb.Encode();
  REQUIRE(VerifyMessageSignatures(c.validators(), wire).ok());
  licenced::testing::OpCountDelta calls;  // every Ed25519 check in the process
  c.Apply(0, c.Feed(0, 1, wire, /*signatures_checked=*/true));
  CHECK(calls[Op::kSignatureVerify] == 0);
  CHECK(c.R(0).pending_requests() == 2);
  // Still checked: the sender must be the peer it came from.
  SignedMessage other = c.Sign(2, MsgType::kRequestBatch, RequestBatchMsg{{Tx(3)}}.Encode());
  c.Apply(0, c.Feed(0, 1, other.Encode(), /*signatures_checked=*/true));
  CHECK(c.R(0).pending_requests() == 2);
  // The plain path verifies.
  c.Apply(0, c.Feed(0, 2, other.Encode()));
  CHECK(calls[Op::kSignatureVerify] == 1);
  CHECK(c.R(0).pending_requests() == 3);
  // VerifyMessageSignatures checks nested signatures too.
  ViewChangeMsg vc;
  vc.new_view = 1;
  vc.checkpoint.block_hash = Cluster::GenesisHash();
  Block b = BigBlock(1, 1, 8);
  Hash d = b.ComputeHash();
  SignedMessage pp = StripPrePrepare(c.Sign(0, MsgType::kPrePrepare, PrePrepareMsg{0, b}.Encode()));
  vc.prepared.push_back({pp,
                         {c.Sign(1, MsgType::kPrepare, VoteMsg{0, 1, d}.Encode()),
                          c.Sign(2, MsgType::kPrepare, VoteMsg{0, 1, d}.Encode())}});
  CHECK(
      VerifyMessageSignatures(c.validators(), c.Sign(3, MsgType::kViewChange, vc.Encode()).Encode())
          .ok());
  vc.prepared[0].prepares[1].signature[5] ^= 1;
  CHECK_FALSE(
      VerifyMessageSignatures(c.validators(), c.Sign(3, MsgType::kViewChange, vc.Encode()).Encode())
          .ok());
}

TEST_CASE("the replica never emits a message over the cap", "[consensus][size]") {
  Cluster c(4, [](ReplicaConfig& cfg) { cfg.max_batch_txs = 100000; });
  c.filter = [](const testing::Msg&) { return false; };
  // 40 txs of 256 KiB: a block of them all would be 10 MiB; the primary cuts
  // its proposal at kMaxProposalBytes.
  for (int i = 0; i < 40; ++i) {
    Bytes tx(256 * 1024, 'x');
    tx[0] = 't';
    std::string tag = std::to_string(i);
    std::copy(tag.begin(), tag.end(), tx.begin() + 1);
    c.Submit(0, std::move(tx));
  }
  c.Advance(20);
  size_t pps = 0;
  for (const Effect& e : c.N(0).log) {
    if (auto* b = std::get_if<Broadcast>(&e)) {
      CHECK(b->message.size() <= kMaxMessageBytes);
      auto m = SignedMessage::Decode(b->message);
      if (m.ok() && m->type == MsgType::kPrePrepare) ++pps;
    }
  }
  CHECK(pps == 1);
}

}  // namespace licenced::consensus
