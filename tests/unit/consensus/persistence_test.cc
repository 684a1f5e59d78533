// Persistence: a restarted replica never signs two different blocks for the
// same (view, height), and resumes its view.
#include <catch2/catch.hpp>

#include "consensus/replica_core.h"
#include "core/merkle.h"
#include "tests/unit/consensus/harness.h"

namespace licenced::consensus {
namespace {
using testing::Cluster;
using testing::EffectsOf;
using testing::Tx;

Block Proposal(TimeMs now, Bytes tx) {
  Block b;
  b.header.height = 1;
  b.header.prev_hash = Cluster::GenesisHash();
  b.header.timestamp_ms = now;
  b.txs = {std::move(tx)};
  b.header.tx_root = merkle::Root(b.txs);
  b.header.state_root = Cluster::GenesisRoot();
  return b;
}

std::vector<VoteMsg> VotesSent(Cluster& c, uint32_t i, MsgType type) {
  std::vector<VoteMsg> out;
  for (const Broadcast& b : EffectsOf<Broadcast>(c.N(i).log)) {
    auto m = SignedMessage::Decode(b.message);
    if (m.ok() && m->type == type) out.push_back(*VoteMsg::Decode(m->body));
  }
  return out;
}
}  // namespace

TEST_CASE("a restarted backup does not prepare a second block at the same height",
          "[consensus][persistence]") {
  Cluster c(4);
  c.filter = [](const testing::Msg&) { return false; };
  Block a = Proposal(c.now, Tx(1));
  c.Inject(0, 1, c.Sign(0, MsgType::kPrePrepare, PrePrepareMsg{0, a}.Encode()));
  REQUIRE(VotesSent(c, 1, MsgType::kPrepare).size() == 1);
  CHECK(c.N(1).persisted.count(VoteKey(1)) == 1);

  c.Crash(1);
  c.N(1).log.clear();
  c.Boot(1);
  // An equivocating primary now offers a different block for (view 0, height 1).
  Block b = Proposal(c.now, Tx(2));
  c.Inject(0, 1, c.Sign(0, MsgType::kPrePrepare, PrePrepareMsg{0, b}.Encode()));
  CHECK(VotesSent(c, 1, MsgType::kPrepare).empty());
  // The same block again is fine (retransmission after the restart).
  c.Inject(0, 1, c.Sign(0, MsgType::kPrePrepare, PrePrepareMsg{0, a}.Encode()));
  auto votes = VotesSent(c, 1, MsgType::kPrepare);
  REQUIRE(votes.size() == 1);
  CHECK(votes[0].block_hash == a.ComputeHash());
}

TEST_CASE("a restarted primary re-sends its pre-prepare instead of a new block",
          "[consensus][persistence]") {
  Cluster c(4);
  c.filter = [](const testing::Msg& m) { return m.type() != MsgType::kPrePrepare; };
  c.Submit(0, Tx(1));
  c.Advance(10);
  REQUIRE(c.N(0).persisted.count(VoteKey(1)) == 1);
  c.Crash(0);
  c.filter = nullptr;
  c.N(0).log.clear();
  c.Boot(0);
  c.Submit(0, Tx(2));
  c.Advance(400);  // the tick retransmits the restored pre-prepare
  REQUIRE(c.N(1).chain.size() >= 1);
  CHECK(c.N(1).chain[0].first.txs == std::vector<Bytes>{Tx(1)});
  c.Advance(100);
  CHECK(c.N(1).chain.size() == 2);
}

TEST_CASE("the view is persisted before view-change messages are sent",
          "[consensus][persistence]") {
  Cluster c(4);
  c.Crash(0);
  c.Submit(1, Tx(1));
  c.Advance(1100);
  REQUIRE(c.R(2).view() == 1);
  const auto& log = c.N(2).log;
  size_t persist_at = 0, vc_at = 0;
  for (size_t i = 0; i < log.size(); ++i) {
    if (auto* p = std::get_if<Persist>(&log[i]); p && p->key == kKeyView && persist_at == 0) {
      persist_at = i + 1;
    }
    if (auto* b = std::get_if<Broadcast>(&log[i]); b && vc_at == 0) {
      auto m = SignedMessage::Decode(b->message);
      if (m.ok() && m->type == MsgType::kViewChange) vc_at = i + 1;
    }
  }
  CHECK(persist_at > 0);
  CHECK(persist_at < vc_at);
  c.Crash(2);
  c.Boot(2);
  CHECK(c.R(2).view() >= 1);
}

TEST_CASE("Create validates its inputs", "[consensus][persistence]") {
  Cluster c(4);
  ReplicaConfig cfg = c.Config(1);
  auto ok = Replica::Create(cfg, testing::TestKey(1), {}, 0, Cluster::GenesisHash(),
                            Cluster::GenesisRoot());
  CHECK(ok.ok());
  auto wrong_key = Replica::Create(cfg, testing::TestKey(2), {}, 0, Hash{}, Hash{});
  CHECK_FALSE(wrong_key.ok());
  auto corrupt =
      Replica::Create(cfg, testing::TestKey(1), {{VoteKey(3), ToBytes("x")}}, 0, Hash{}, Hash{});
  CHECK_FALSE(corrupt.ok());
  cfg.checkpoint_interval = 0;
  CHECK_FALSE(Replica::Create(cfg, testing::TestKey(1), {}, 0, Hash{}, Hash{}).ok());
}

}  // namespace licenced::consensus
