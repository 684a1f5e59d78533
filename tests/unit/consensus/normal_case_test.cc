// Normal case: batching, pre-prepare / prepare / commit, delivery order,
// proposal checks by backups, persistence before sending.
#include <catch2/catch.hpp>

#include "consensus/replica_core.h"
#include "core/merkle.h"
#include "tests/unit/consensus/harness.h"

namespace licenced::consensus {
namespace {

using testing::Cluster;
using testing::EffectsOf;
using testing::Tx;

// Every replica delivered the same blocks, in order, with valid certificates.
void CheckSameChains(Cluster& c, size_t min_height) {
  for (uint32_t i = 0; i < c.size(); ++i) {
    const auto& chain = c.N(i).chain;
    REQUIRE(chain.size() >= min_height);
    for (size_t h = 0; h < chain.size(); ++h) {
      CHECK(chain[h].first.header.height == h + 1);
      CHECK(chain[h].second.Verify(c.validators()).ok());
      CHECK(chain[h].second.block_hash == chain[h].first.ComputeHash());
      CHECK(chain[h].first.CheckTxRoot().ok());
      if (i > 0 && h < c.N(0).chain.size()) {
        CHECK(chain[h].first.ComputeHash() == c.N(0).chain[h].first.ComputeHash());
      }
    }
  }
}

// A block the primary (replica 0, view 0) could propose at height 1.
Block Proposal(Cluster& c, std::vector<Bytes> txs) {
  Block b;
  b.header.height = 1;
  b.header.prev_hash = Cluster::GenesisHash();
  b.header.timestamp_ms = c.now;
  b.txs = std::move(txs);
  b.header.tx_root = merkle::Root(b.txs);
  b.header.state_root = Cluster::GenesisRoot();
  b.header.proposer = 0;
  return b;
}

bool SentPrepare(Cluster& c, uint32_t i) {
  for (const Broadcast& b : EffectsOf<Broadcast>(c.N(i).log)) {
    auto m = SignedMessage::Decode(b.message);
    if (m.ok() && m->type == MsgType::kPrepare) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("normal case commits a request submitted to a backup", "[consensus][normal]") {
  Cluster c(4);
  c.Submit(2, Tx(1));
  c.Advance(20);
  CheckSameChains(c, 1);
  CHECK(c.N(0).chain[0].first.txs == std::vector<Bytes>{Tx(1)});
  for (uint32_t i = 0; i < 4; ++i) {
    CHECK(c.R(i).committed_height() == 1);
    CHECK(c.R(i).executed_height() == 1);
    CHECK(c.R(i).pending_requests() == 0);
    CHECK(c.R(i).view() == 0);
  }
}

TEST_CASE("the primary batches up to max_batch_txs and waits max_batch_wait",
          "[consensus][normal]") {
  Cluster c(4, [](ReplicaConfig& cfg) {
    cfg.max_batch_txs = 3;
    cfg.max_batch_wait = 50;
    cfg.request_flush_wait = 1;  // backups flush their request batch at once
  });
  c.Submit(0, Tx(1));
  c.Run();
  CHECK(c.N(0).chain.empty());  // waiting for more
  c.Submit(0, Tx(2));
  c.Submit(0, Tx(3));  // batch full: proposed at once
  c.Run();
  REQUIRE(c.N(0).chain.size() == 1);
  CHECK(c.N(0).chain[0].first.txs.size() == 3);
  c.Submit(1, Tx(4));
  c.Advance(40);
  CHECK(c.N(0).chain.size() == 1);
  c.Advance(30);  // max_batch_wait elapsed
  CheckSameChains(c, 2);
  CHECK(c.N(3).chain[1].first.txs == std::vector<Bytes>{Tx(4)});
}

TEST_CASE("many requests commit in height order exactly once", "[consensus][normal]") {
  Cluster c(7, [](ReplicaConfig& cfg) { cfg.max_batch_txs = 4; });
  for (int i = 0; i < 40; ++i) c.Submit(static_cast<uint32_t>(i % 7), Tx(i));
  c.Advance(200);
  CheckSameChains(c, 10);
  std::set<Bytes> seen;
  for (const auto& [b, cert] : c.N(5).chain) {
    CHECK(b.txs.size() <= 4);
    for (const Bytes& tx : b.txs) CHECK(seen.insert(tx).second);
  }
  CHECK(seen.size() == 40);
}

TEST_CASE("a duplicate or invalid request is not ordered", "[consensus][normal]") {
  Cluster c(4);
  c.Submit(1, Tx(1));
  c.Advance(20);
  c.Submit(2, Tx(1));            // already committed
  c.Submit(2, ToBytes("junk"));  // the host's check says no
  c.Advance(20);
  CHECK(c.N(0).chain.size() == 1);
  CHECK(c.R(2).pending_requests() == 0);
}

TEST_CASE("a replica knows committed txs from its deliveries, and after a restart from its store",
          "[consensus][normal]") {
  Cluster c(4);
  c.Submit(1, Tx(1));
  c.Advance(20);
  REQUIRE(c.N(2).chain.size() == 1);
  // Replica 2 restarts: the harness hands it the txs of its stored blocks,
  // as the daemon does (ReplicaConfig::recently_committed).
  c.Crash(2);
  c.Boot(2);
  c.Advance(20);
  c.Submit(2, Tx(1));  // a replay: refused, no store read on the way
  CHECK(c.R(2).pending_requests() == 0);
  CHECK(c.R(2).dropped(DropReason::kInvalidRequest) == 1);
  c.Advance(20);
  CHECK(c.N(0).chain.size() == 1);
}

TEST_CASE("recently committed ids cover exactly the last window of heights", "[consensus]") {
  RecentlyCommitted recent(3);
  auto id = [](uint8_t i) {
    Hash h{};
    h[0] = i;
    return h;
  };
  recent.Add(1, {id(1), id(9)});
  recent.Add(2, {id(2)});
  recent.Add(3, {id(3), id(9)});  // the same id in two blocks
  CHECK(recent.Contains(id(1)));
  recent.Add(4, {id(4)});  // block 1 leaves the window
  CHECK_FALSE(recent.Contains(id(1)));
  CHECK(recent.Contains(id(9)));  // still held by block 3
  CHECK(recent.Contains(id(2)));
  recent.Add(6, {});  // heights may skip: blocks 2 and 3 leave
  CHECK_FALSE(recent.Contains(id(2)));
  CHECK_FALSE(recent.Contains(id(9)));
  CHECK(recent.Contains(id(4)));
  CHECK(recent.size() == 1);
}

TEST_CASE("backups check every proposal before preparing", "[consensus][normal]") {
  Cluster c(4);
  c.filter = [](const testing::Msg&) { return false; };  // observe replica 1 alone
  auto pp = [&](const Block& b, uint32_t signer = 0, uint64_t view = 0) {
    c.Inject(signer, 1, c.Sign(signer, MsgType::kPrePrepare, PrePrepareMsg{view, b}.Encode()));
  };
  SECTION("a valid proposal is prepared, after persisting the vote") {
    pp(Proposal(c, {Tx(1)}));
    REQUIRE(SentPrepare(c, 1));
    // The Persist of the vote comes before the Broadcast of the prepare.
    size_t persist_at = 0, send_at = 0;
    for (size_t i = 0; i < c.N(1).log.size(); ++i) {
      if (auto* p = std::get_if<Persist>(&c.N(1).log[i]); p && p->key == VoteKey(1))
        persist_at = i + 1;
      if (auto* b = std::get_if<Broadcast>(&c.N(1).log[i]); b && send_at == 0) {
        auto m = SignedMessage::Decode(b->message);
        if (m.ok() && m->type == MsgType::kPrepare) send_at = i + 1;
      }
    }
    CHECK(persist_at > 0);
    CHECK(persist_at < send_at);
  }
  SECTION("wrong state root") {
    Block b = Proposal(c, {Tx(1)});
    b.header.state_root[0] ^= 1;
    pp(b);
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("wrong prev hash") {
    Block b = Proposal(c, {Tx(1)});
    b.header.prev_hash[0] ^= 1;
    pp(b);
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("wrong tx root") {
    Block b = Proposal(c, {Tx(1)});
    b.txs.push_back(Tx(2));
    pp(b);
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("timestamp too far in the future") {
    Block b = Proposal(c, {Tx(1)});
    b.header.timestamp_ms = c.now + 5000;
    pp(b);
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("timestamp not after the previous block") {
    Block b = Proposal(c, {Tx(1)});
    b.header.timestamp_ms = testing::kT0 - 1000;  // == genesis time
    pp(b);
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("duplicate tx in the block") {
    pp(Proposal(c, {Tx(1), Tx(1)}));
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("invalid tx") {
    pp(Proposal(c, {ToBytes("bad")}));
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("proposer is not the primary") {
    Block b = Proposal(c, {Tx(1)});
    b.header.proposer = 2;
    pp(b);
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("pre-prepare not signed by the primary") {
    pp(Proposal(c, {Tx(1)}), /*signer=*/2);
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("second block for the same view and height (equivocation)") {
    pp(Proposal(c, {Tx(1)}));
    size_t before = EffectsOf<Broadcast>(c.N(1).log).size();
    pp(Proposal(c, {Tx(2)}));
    CHECK(EffectsOf<Broadcast>(c.N(1).log).size() == before);
  }
  SECTION("bad signature") {
    SignedMessage m =
        c.Sign(0, MsgType::kPrePrepare, PrePrepareMsg{0, Proposal(c, {Tx(1)})}.Encode());
    m.signature[3] ^= 1;
    c.Inject(0, 1, m);
    CHECK_FALSE(SentPrepare(c, 1));
  }
  SECTION("malformed bytes are dropped") {
    Bytes junk = ToBytes("\x02garbage");
    CHECK_FALSE(testing::TestInbound(0, junk).has_value());  // the host drops it
  }
}

TEST_CASE("a backup buffers a proposal until it has executed the previous block",
          "[consensus][normal]") {
  Cluster c(4);
  c.Submit(0, Tx(1));
  // Hold back every message to replica 3 while height 1 commits elsewhere.
  std::vector<testing::Msg> held;
  c.filter = [&](const testing::Msg& m) {
    if (m.to != 3) return true;
    held.push_back(m);
    return false;
  };
  c.Advance(20);
  c.Submit(0, Tx(2));
  c.Advance(20);
  REQUIRE(c.N(0).chain.size() == 2);
  CHECK(c.N(3).chain.empty());
  // Deliver height 2's messages first, then height 1's: replica 3 still ends
  // with both blocks in order.
  c.filter = nullptr;
  std::reverse(held.begin(), held.end());
  for (auto& m : held) c.net.push_back(m);
  c.Run();
  c.Advance(600);
  CheckSameChains(c, 2);
  CHECK(c.N(3).chain.size() == 2);
}

}  // namespace licenced::consensus
