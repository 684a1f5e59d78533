// State transfer: a replica that fell behind fetches blocks and accepts them
// only with valid commit certificates and chain linkage.
#include <catch2/catch.hpp>

#include "consensus/replica_core.h"
#include "tests/unit/consensus/harness.h"

namespace licenced::consensus {
namespace {
using testing::Cluster;
using testing::Tx;
}  // namespace

TEST_CASE("a lagging replica fetches and delivers verified blocks", "[consensus][transfer]") {
  Cluster c(4, [](ReplicaConfig& cfg) {
    cfg.max_batch_txs = 1;
    cfg.checkpoint_interval = 2;
    cfg.watermark_window = 4;
  });
  c.filter = [](const testing::Msg& m) { return m.to != 3 && m.from != 3; };
  for (int i = 0; i < 9; ++i) {
    c.Submit(0, Tx(i));
    c.Advance(20);
  }
  REQUIRE(c.N(0).chain.size() == 9);
  CHECK(c.N(3).chain.empty());
  c.filter = nullptr;
  c.Advance(2500);  // an idle Status exchange reveals the gap
  REQUIRE_FALSE(c.N(3).fetches.empty());
  const FetchBlocks f = c.N(3).fetches.front();
  CHECK(f.from_height == 1);

  SECTION("genuine blocks are delivered in order") {
    for (int round = 0; round < 5 && c.N(3).chain.size() < 9; ++round) {
      c.AnswerFetches(3);
      c.Advance(600);
    }
    REQUIRE(c.N(3).chain.size() == 9);
    for (size_t h = 0; h < 9; ++h) {
      CHECK(c.N(3).chain[h].first.ComputeHash() == c.N(0).chain[h].first.ComputeHash());
    }
  }
  SECTION("tampered, unlinked or badly certified blocks are refused") {
    auto chain = c.N(0).chain;
    auto try_deliver = [&](std::vector<std::pair<Block, CommitCertificate>> blocks) {
      c.H(3).OnFetched(blocks, testing::InspectTestBlocks(blocks));
      c.Run();
      return c.N(3).chain.size();
    };
    auto tampered = chain[0];
    tampered.first.txs.push_back(Tx(99));
    CHECK(try_deliver({tampered}) == 0);
    auto weak = chain[0];
    weak.second.signatures.resize(2);  // below 2f+1
    CHECK(try_deliver({weak}) == 0);
    auto forged = chain[0];
    forged.second.signatures[0].second[0] ^= 1;
    CHECK(try_deliver({forged}) == 0);
    CHECK(try_deliver({chain[1]}) == 0);  // gap: height 2 before 1
    CHECK(try_deliver({chain[0], chain[1]}) == 2);
  }
}

TEST_CASE("a restarted replica with a wiped store catches up", "[consensus][transfer]") {
  Cluster c(4);
  for (int i = 0; i < 3; ++i) {
    c.Submit(1, Tx(i));
    c.Advance(20);
  }
  c.Crash(2);
  c.N(2).chain.clear();
  c.N(2).roots.resize(1);
  c.N(2).committed.clear();
  c.N(2).persisted.clear();
  c.Boot(2);
  c.Run();
  for (int round = 0; round < 5 && c.N(2).chain.size() < 3; ++round) {
    c.AnswerFetches(2);
    c.Advance(600);
  }
  CHECK(c.N(2).chain.size() == 3);
  c.Submit(3, Tx(10));
  c.Advance(50);
  CHECK(c.N(2).chain.size() == 4);
}

}  // namespace licenced::consensus

namespace licenced::consensus {

// Regression (pbft-sim n=7 byzantine-primary seed 74): the fetch retry
// alternated between the same two faulty peers forever.
TEST_CASE("state transfer is not starved by two peers answering garbage", "[consensus][transfer]") {
  Cluster c(7);
  c.filter = [](const testing::Msg& m) { return m.to != 6 && m.from != 6; };
  for (int i = 0; i < 3; ++i) {
    c.Submit(2, Tx(i));
    c.Advance(20);
  }
  REQUIRE(c.N(2).chain.size() == 3);
  c.filter = nullptr;
  for (int round = 0; round < 40 && c.N(6).chain.size() < 3; ++round) {
    auto fetches = std::move(c.N(6).fetches);
    c.N(6).fetches.clear();
    for (const FetchBlocks& f : fetches) {
      std::vector<std::pair<Block, CommitCertificate>> blocks;
      if (f.peer >= 2) {
        for (uint64_t h = f.from_height; h <= f.to_height && h <= c.N(f.peer).chain.size(); ++h) {
          blocks.push_back(c.N(f.peer).chain[h - 1]);
        }
      } else if (!c.N(f.peer).chain.empty()) {
        blocks.push_back(c.N(f.peer).chain[0]);
        blocks[0].first.txs.push_back(Tx(666));  // peers 0 and 1 tamper
      }
      c.H(6).OnFetched(blocks, testing::InspectTestBlocks(blocks));
    }
    c.Advance(300);
  }
  CHECK(c.N(6).chain.size() == 3);
}

}  // namespace licenced::consensus
