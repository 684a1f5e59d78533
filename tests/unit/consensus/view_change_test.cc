// View change: request timers, prepared certificates carried into the new
// view, doubling timeouts, joining after f+1, absurd views ignored.
#include <catch2/catch.hpp>

#include "consensus/replica_core.h"
#include "tests/sim/test_access.h"
#include "tests/unit/consensus/harness.h"

namespace licenced::consensus {
namespace {
using testing::Cluster;
using testing::EffectsOf;
using testing::Tx;

ViewChangeMsg EmptyViewChange(uint64_t view) {
  ViewChangeMsg vc;
  vc.new_view = view;
  vc.checkpoint.block_hash = Cluster::GenesisHash();
  return vc;
}
}  // namespace

TEST_CASE("a silent primary is replaced and the request commits", "[consensus][viewchange]") {
  Cluster c(4);
  c.Crash(0);
  c.Submit(1, Tx(1));
  c.Advance(900);
  CHECK(c.R(1).view() == 0);  // request timer (1000 ms) not yet expired
  c.Advance(400);
  for (uint32_t i = 1; i < 4; ++i) {
    CHECK(c.R(i).view() == 1);
    CHECK_FALSE(c.R(i).in_view_change());
    CHECK(c.R(i).primary() == 1);
    CHECK(c.R(i).view_changes() >= 1);
    REQUIRE(c.N(i).chain.size() == 1);
    CHECK(c.N(i).chain[0].first.header.proposer == 1);
    CHECK(c.N(i).chain[0].second.view == 1);
  }
}

TEST_CASE("a block committed at one replica survives the view change", "[consensus][viewchange]") {
  Cluster c(4);
  // Commits reach only replica 1: it alone commits height 1; the others are
  // prepared. Then the primary dies.
  c.filter = [](const testing::Msg& m) { return m.type() != MsgType::kCommit || m.to == 1; };
  c.Submit(0, Tx(1));
  c.Advance(20);
  REQUIRE(c.N(1).chain.size() == 1);
  Hash committed = c.N(1).chain[0].first.ComputeHash();
  CHECK(c.N(2).chain.empty());
  c.Crash(0);
  c.filter = nullptr;
  c.Submit(2, Tx(2));
  c.Advance(3000);
  for (uint32_t i = 1; i < 4; ++i) {
    CHECK(c.R(i).view() >= 1);
    REQUIRE(c.N(i).chain.size() == 2);
    CHECK(c.N(i).chain[0].first.ComputeHash() == committed);
    CHECK(c.N(i).chain[1].first.txs == std::vector<Bytes>{Tx(2)});
  }
}

TEST_CASE("view-change timeouts double while no view completes", "[consensus][viewchange]") {
  Cluster c(4);
  c.Crash(0);
  c.Crash(1);  // primaries of views 0 and 1 are down: only 2 of 4 left
  c.Submit(2, Tx(1));
  c.Advance(10000);
  REQUIRE(c.R(2).in_view_change());
  // Deadlines of the view-change timer: each wait is twice the previous one.
  std::vector<TimeMs> deadlines;
  for (const Effect& e : c.N(2).log) {
    if (auto* t = std::get_if<SetTimer>(&e); t && t->id == kTimerProgress) {
      if (deadlines.empty() || deadlines.back() != t->deadline) deadlines.push_back(t->deadline);
    }
  }
  REQUIRE(deadlines.size() >= 4);
  for (size_t i = 2; i < deadlines.size(); ++i) {
    CHECK(deadlines[i] - deadlines[i - 1] == 2 * (deadlines[i - 1] - deadlines[i - 2]));
  }
  CHECK(c.R(2).view() == 1);  // no quorum of view-changes: it does not run away
  CHECK(c.N(2).chain.empty());
}

TEST_CASE("a replica joins a view change after f+1 view-changes", "[consensus][viewchange]") {
  Cluster c(4);
  c.filter = [](const testing::Msg&) { return false; };
  c.Inject(1, 3, c.Sign(1, MsgType::kViewChange, EmptyViewChange(5).Encode()));
  CHECK(c.R(3).view() == 0);  // one is not enough
  c.Inject(2, 3, c.Sign(2, MsgType::kViewChange, EmptyViewChange(7).Encode()));
  CHECK(c.R(3).view() == 5);  // the smallest view among the f+1
  CHECK(c.R(3).in_view_change());
}

TEST_CASE("absurd view numbers from one replica drag nobody", "[consensus][viewchange]") {
  Cluster c(4);
  c.Submit(1, Tx(1));
  c.Advance(20);
  for (uint64_t v : {uint64_t{1} << 40, ~uint64_t{0}, uint64_t{12345}}) {
    for (uint32_t to : {0u, 1u, 2u}) {
      c.Inject(3, to, c.Sign(3, MsgType::kViewChange, EmptyViewChange(v).Encode()));
      c.Inject(3, to, c.Sign(3, MsgType::kPrepare, VoteMsg{v, 2, Hash{}}.Encode()));
      c.Inject(3, to, c.Sign(3, MsgType::kStatus, StatusMsg{v, true, 1u << 30, 0}.Encode()));
    }
  }
  // A NewView without 2f+1 view-changes is refused.
  NewViewMsg nv;
  nv.view = 2;
  nv.view_changes.push_back(c.Sign(3, MsgType::kViewChange, EmptyViewChange(2).Encode()));
  c.Inject(2, 0, c.Sign(2, MsgType::kNewView, nv.Encode()));
  c.Run();
  for (uint32_t i = 0; i < 3; ++i) {
    CHECK(c.R(i).view() == 0);
    CHECK_FALSE(c.R(i).in_view_change());
  }
  c.Submit(2, Tx(2));
  c.Advance(20);
  CHECK(c.N(0).chain.size() == 2);
  // Buffered future messages per sender are bounded.
  for (uint64_t i = 0; i < 1000; ++i) {
    c.Inject(3, 1, c.Sign(3, MsgType::kCommit, VoteMsg{1, 3 + i % 10, Hash{}}.Encode()));
  }
  const ReplicaCore& core = ReplicaTestAccess::Core(c.R(1));
  CHECK(core.future_.at(3).size() <= kMaxBufferedPerSender);
}

TEST_CASE("a replica that missed the new view catches up from Status", "[consensus][viewchange]") {
  Cluster c(4);
  c.Crash(0);
  c.filter = [](const testing::Msg& m) { return m.to != 3; };  // replica 3 hears nothing
  c.Submit(1, Tx(1));
  c.Advance(1500);
  REQUIRE(c.R(1).view() == 1);
  c.filter = nullptr;
  c.Advance(2000);
  CHECK(c.R(3).view() == 1);
  CHECK(c.N(3).chain.size() == 1);
}

}  // namespace licenced::consensus
