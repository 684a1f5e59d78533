// Ordering ahead of execution within the window, state certificates for every
// executed height, and the halt of a replica whose execution diverges
// (docs/consensus.md "Certified execution").
#include <catch2/catch.hpp>

#include <map>

#include "tests/unit/consensus/harness.h"

namespace licenced::consensus {
namespace {
using testing::Cluster;
using testing::Tx;

// Cluster of 4, one tx per block, window `w`.
Cluster Make(uint64_t w) {
  return Cluster(4, [w](ReplicaConfig& cfg) {
    cfg.max_batch_txs = 1;
    cfg.order_ahead_window = w;
  });
}

void SubmitBlocks(Cluster& c, int from, int to) {
  for (int i = from; i < to; ++i) {
    c.Submit(1, Tx(i));
    c.Advance(20);
  }
}

}  // namespace

TEST_CASE("the primary orders up to the window ahead of execution", "[consensus][certified]") {
  Cluster c = Make(4);
  c.hold_execution = true;
  SubmitBlocks(c, 0, 7);
  // Blocks 1..4 carry the genesis state and need nothing executed; block 5
  // needs block 1 executed.
  for (uint32_t i = 0; i < 4; ++i) {
    CHECK(c.R(i).committed_height() == 4);
    CHECK(c.R(i).executed_height() == 0);
  }
  c.hold_execution = false;
  c.Advance(200);
  for (uint32_t i = 0; i < 4; ++i) {
    CHECK(c.R(i).executed_height() == 7);
    // Header h carries the state after block h - 4.
    const auto& chain = c.N(i).chain;
    for (size_t h = 1; h <= chain.size(); ++h) {
      const Hash want = h <= 4 ? Cluster::GenesisRoot() : c.N(i).roots[h - 4];
      CHECK(chain[h - 1].first.header.state_root == want);
    }
  }
}

TEST_CASE("with a window of 1 ordering waits for execution", "[consensus][certified]") {
  Cluster c = Make(1);
  c.hold_execution = true;
  SubmitBlocks(c, 0, 4);
  for (uint32_t i = 0; i < 4; ++i) CHECK(c.R(i).committed_height() == 1);
  c.hold_execution = false;
  c.Advance(300);
  for (uint32_t i = 0; i < 4; ++i) {
    CHECK(c.R(i).executed_height() == 4);
    const auto& chain = c.N(i).chain;
    for (size_t h = 1; h <= chain.size(); ++h) {
      CHECK(chain[h - 1].first.header.state_root == c.N(i).roots[h - 1]);
    }
  }
}

TEST_CASE("every executed height gets one state certificate of 2f+1 signers",
          "[consensus][certified]") {
  Cluster c = Make(4);
  SubmitBlocks(c, 0, 6);
  c.Advance(200);
  for (uint32_t i = 0; i < 4; ++i) {
    REQUIRE(c.R(i).executed_height() == 6);
    CHECK(c.R(i).certified_height() == 6);
    std::map<uint64_t, int> seen;
    for (const CheckpointProof& cert : c.N(i).certified) {
      const uint64_t h = cert.checkpoint.height;
      ++seen[h];
      CHECK(VerifyStateCertificate(c.validators(), cert).ok());
      CHECK(cert.messages.size() == c.validators().quorum());
      CHECK(cert.checkpoint.state_root == c.N(i).roots[h]);
      CHECK(cert.checkpoint.block_hash == c.N(i).chain[h - 1].first.ComputeHash());
    }
    for (uint64_t h = 1; h <= 6; ++h) CHECK(seen[h] == 1);
    CHECK_FALSE(c.R(i).execution_halted().has_value());
  }
}

TEST_CASE("a state certificate needs 2f+1 signers with the same state", "[consensus][certified]") {
  Cluster c = Make(4);
  SubmitBlocks(c, 0, 2);
  c.Advance(100);
  REQUIRE_FALSE(c.N(0).certified.empty());
  CheckpointProof cert = c.N(0).certified.front();
  CHECK(VerifyStateCertificate(c.validators(), cert).ok());
  CheckpointProof short_one = cert;
  short_one.messages.pop_back();
  CHECK_FALSE(VerifyStateCertificate(c.validators(), short_one).ok());
  CheckpointProof doubled = cert;
  doubled.messages.back() = doubled.messages.front();
  CHECK_FALSE(VerifyStateCertificate(c.validators(), doubled).ok());
  CheckpointProof other_root = cert;
  other_root.checkpoint.state_root[0] ^= 1;  // the votes are for another state
  CHECK_FALSE(VerifyStateCertificate(c.validators(), other_root).ok());
  CheckpointProof forged = cert;
  forged.messages.front().signature[0] ^= 1;
  CHECK_FALSE(VerifyStateCertificate(c.validators(), forged).ok());
}

TEST_CASE("a replica whose execution diverges halts it and signs no more states",
          "[consensus][certified]") {
  for (uint64_t w : {1, 4}) {
    INFO("window " << w);
    Cluster c = Make(w);
    c.diverging = {3};
    c.diverge_from = 2;
    uint64_t last_vote_after_halt = 0;
    bool halted = false;
    SubmitBlocks(c, 0, 8);
    c.Advance(300);
    // The three others agree and go on.
    for (uint32_t i = 0; i < 3; ++i) {
      CHECK(c.R(i).executed_height() == 8);
      CHECK_FALSE(c.R(i).execution_halted().has_value());
    }
    REQUIRE(c.R(3).execution_halted().has_value());
    CHECK_THAT(*c.R(3).execution_halted(), Catch::Contains("the state after block 2 differs"));
    REQUIRE(c.N(3).execution_halts.size() == 1);
    // No state vote from replica 3 after its HaltExecution effect.
    for (const Effect& e : c.N(3).log) {
      if (std::holds_alternative<HaltExecution>(e)) halted = true;
      const auto* b = std::get_if<Broadcast>(&e);
      if (!halted || b == nullptr) continue;
      auto m = SignedMessage::Decode(b->message);
      if (m.ok() && m->type == MsgType::kCheckpoint) ++last_vote_after_halt;
    }
    CHECK(halted);
    CHECK(last_vote_after_halt == 0);
    // It stopped executing at the divergence and voted on no more proposals
    // (it cannot check their state roots), but the network committed them.
    CHECK(c.R(3).executed_height() <= 2 + w);
    CHECK(c.R(0).committed_height() == 8);
  }
}

TEST_CASE("state certificates fetched with blocks are checked, taken once, compared with execution",
          "[consensus][certified][transfer]") {
  for (bool diverging : {false, true}) {
    INFO("diverging " << diverging);
    Cluster c = Make(4);
    if (diverging) {
      // From block 3 on: no committed header (block 3 + W = 7) shows it, so
      // only a certificate can.
      c.diverging = {3};
      c.diverge_from = 3;
    }
    // Replica 3 hears nothing: what it learns comes by state transfer.
    c.filter = [](const testing::Msg& m) { return m.to != 3 && m.from != 3; };
    SubmitBlocks(c, 0, 6);
    c.Advance(200);
    REQUIRE(c.N(0).chain.size() == 6);
    REQUIRE(c.N(0).certified.size() == 6);
    const auto blocks = c.N(0).chain;
    const std::vector<CheckpointProof> certs = c.N(0).certified;
    // Forged states (the votes sign other roots) are refused; the blocks are delivered.
    std::vector<CheckpointProof> forged = certs;
    for (auto& f : forged) f.checkpoint.state_root[0] ^= 1;
    c.H(3).OnFetched(blocks, testing::InspectTestBlocks(blocks), forged);
    c.Run();
    c.Advance(100);
    REQUIRE(c.N(3).chain.size() == 6);
    CHECK(c.N(3).certified.empty());
    CHECK(c.R(3).certified_height() == 0);
    CHECK_FALSE(c.R(3).execution_halted().has_value());
    // A certificate below quorum is refused too.
    std::vector<CheckpointProof> weak = {certs[0]};
    weak[0].messages.pop_back();
    c.H(3).OnFetched({}, {}, weak);
    c.Run();
    CHECK(c.N(3).certified.empty());
    // The genuine ones are taken, each once, and checked against execution.
    for (int round = 0; round < 2; ++round) {
      c.H(3).OnFetched({}, {}, certs);
      c.Run();
      c.Advance(100);
    }
    CHECK(c.N(3).certified.size() == 6);
    CHECK(c.R(3).certified_height() == 6);
    if (diverging) {
      REQUIRE(c.R(3).execution_halted().has_value());
      CHECK_THAT(*c.R(3).execution_halted(),
                 Catch::Contains("the state after block 3 differs from the state certificate"));
    } else {
      CHECK_FALSE(c.R(3).execution_halted().has_value());
    }
  }
}

}  // namespace licenced::consensus
