// The double-vote guard (consensus/vote_record.h) and the replica paths that
// used to get around it: garbage collection under a stable checkpoint adopted
// ahead of execution, and restarts from what was persisted.
#include <catch2/catch.hpp>

#include <set>

#include "consensus/replica_core.h"
#include "consensus/vote_record.h"
#include "tests/sim/equivocation_checker.h"
#include "tests/sim/test_access.h"
#include "tests/unit/consensus/harness.h"

namespace licenced::consensus {
namespace {
using testing::Cluster;
using testing::Tx;
using Verdict = VoteRecord::Verdict;

Hash H(const char* s) { return crypto::Sha256(AsBytes(s)); }

// Every pre-prepare replica `i` broadcast or sent, as (view, height) -> digests.
std::map<std::pair<uint64_t, uint64_t>, std::set<Hash>> PrePreparesSent(Cluster& c, uint32_t i) {
  std::map<std::pair<uint64_t, uint64_t>, std::set<Hash>> out;
  auto note = [&](const Bytes& wire) {
    auto m = SignedMessage::Decode(wire);
    if (!m.ok() || m->type != MsgType::kPrePrepare) return;
    auto pp = PrePrepareMsg::Decode(m->body);
    if (pp.ok()) out[{pp->view, pp->block.header.height}].insert(pp->block.ComputeHash());
  };
  for (const Broadcast& b : testing::EffectsOf<Broadcast>(c.N(i).log)) note(b.message);
  for (const SendTo& s : testing::EffectsOf<SendTo>(c.N(i).log)) note(s.message);
  return out;
}

// The simulator's checker over everything replica `i` sent.
std::optional<std::string> Equivocation(Cluster& c, uint32_t i) {
  testing::EquivocationChecker checker;
  for (const Effect& e : c.N(i).log) {
    const Bytes* wire = nullptr;
    if (auto* b = std::get_if<Broadcast>(&e)) wire = &b->message;
    if (auto* s = std::get_if<SendTo>(&e)) wire = &s->message;
    if (wire == nullptr) continue;
    if (auto v = checker.Observe(i, *wire)) return v;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("vote record: one digest per (view, height), later views free", "[consensus][votes]") {
  VoteRecord r;
  CHECK(r.Check(0, 1, H("a")) == Verdict::kNew);
  r.Record(0, 1, H("a"));
  CHECK(r.Check(0, 1, H("a")) == Verdict::kSame);
  CHECK(r.Check(0, 1, H("b")) == Verdict::kConflict);
  CHECK(r.Check(1, 1, H("b")) == Verdict::kNew);  // a new view may endorse another block
  r.Record(1, 1, H("b"));
  CHECK(r.Check(0, 1, H("a")) == Verdict::kConflict);  // never back to an earlier view
  CHECK(r.Check(1, 1, H("a")) == Verdict::kConflict);
  CHECK(r.Find(1)->view == 1);
  CHECK(r.Find(1)->digest == H("b"));
  CHECK_FALSE(r.Find(2).has_value());
}

TEST_CASE("vote record: nothing at or below the floor is signed again", "[consensus][votes]") {
  VoteRecord r;
  r.Record(0, 3, H("a"));
  r.Record(0, 9, H("c"));
  r.Forget(4);
  CHECK(r.floor() == 4);
  CHECK(r.size() == 1);
  // Forgotten, but not free: a height at or below the floor is refused,
  // whatever the view or digest.
  CHECK(r.Check(0, 3, H("b")) == Verdict::kBelowFloor);
  CHECK(r.Check(0, 3, H("a")) == Verdict::kBelowFloor);
  CHECK(r.Check(7, 1, H("x")) == Verdict::kBelowFloor);
  CHECK(r.Check(0, 4, H("x")) == Verdict::kBelowFloor);
  CHECK(r.Check(0, 9, H("d")) == Verdict::kConflict);
  CHECK(r.Check(0, 5, H("d")) == Verdict::kNew);
  r.Forget(2);  // the floor never moves down
  CHECK(r.floor() == 4);
  r.Restore(2, {0, H("z")});  // restored entries below the floor are dropped
  CHECK_FALSE(r.Find(2).has_value());
}

// The fuzz_replica reproducer (regressions/fuzz_replica/
// two-preprepares-after-stable-checkpoint.bin), as a unit test: the view-0
// primary proposes height 1, time passes, and the three others send a
// checkpoint above its executed height. Adopting it garbage-collects the log
// and the vote record up to the checkpoint, including the replica's own
// pre-prepare for height 1; it must not then sign another one.
TEST_CASE("a primary adopting a stable checkpoint ahead of execution never re-proposes a height",
          "[consensus][votes][checkpoint]") {
  Cluster c(4);
  c.filter = [](const testing::Msg&) { return false; };  // replica 0 alone; peers are injected
  c.Submit(0, Tx(1));
  c.Submit(0, Tx(2));
  c.Advance(20);  // the batch timer fires: pre-prepare for (0, 1)
  REQUIRE(PrePreparesSent(c, 0).count({0, 1}) == 1);
  c.Advance(50);  // a block made now would carry another timestamp
  CheckpointMsg ck{4, H("block 4"), H("state 4")};
  for (uint32_t s : {1u, 2u, 3u}) c.Inject(s, 0, c.Sign(s, MsgType::kCheckpoint, ck.Encode()));
  REQUIRE(c.R(0).stable_checkpoint() == 4);
  c.Submit(0, Tx(3));
  c.Advance(500);

  auto sent = PrePreparesSent(c, 0);
  CHECK(sent[{0, 1}].size() == 1);
  for (uint64_t h = 2; h <= 4; ++h) CHECK(sent.count({0, h}) == 0);
  CHECK_FALSE(Equivocation(c, 0).has_value());
  CHECK(c.R(0).refused_signatures() == 0);  // MaybePropose itself waits for state transfer
  // It fetches the decided blocks instead.
  REQUIRE_FALSE(c.N(0).fetches.empty());
  CHECK(c.N(0).fetches.back().from_height == 1);
  CHECK(c.N(0).fetches.back().to_height == 4);

  SECTION("and not after a restart either: the floor comes back with the checkpoint") {
    c.Crash(0);
    c.Boot(0);
    CHECK(c.R(0).stable_checkpoint() == 4);
    CHECK(ReplicaTestAccess::Core(c.R(0)).votes_.floor() == 4);
    c.Submit(0, Tx(4));
    c.Advance(500);
    CHECK(PrePreparesSent(c, 0)[{0, 1}].size() == 1);
    CHECK_FALSE(Equivocation(c, 0).has_value());
  }
}

TEST_CASE("a forgetful vote record re-proposes a height: the checker sees it",
          "[consensus][votes][checkpoint]") {
  // The same sequence with the guard deliberately broken (test-only): shows
  // that the test above and the simulator's checker can fail.
  Cluster c(4);
  c.filter = [](const testing::Msg&) { return false; };
  ReplicaTestAccess::SetForgetfulVotes(c.R(0), true);
  c.Submit(0, Tx(1));
  c.Submit(0, Tx(2));
  c.Advance(20);
  c.Advance(50);
  ReplicaTestAccess::MutableCore(c.R(0)).log_.clear();  // what garbage collection does
  c.Submit(0, Tx(3));
  c.Advance(500);
  CHECK(PrePreparesSent(c, 0)[{0, 1}].size() > 1);
  CHECK(Equivocation(c, 0).has_value());
}

TEST_CASE("every pre-prepare, prepare and commit goes through the vote record",
          "[consensus][votes]") {
  // A backup refuses to sign a prepare or commit that contradicts what it
  // endorsed or delivered, even when asked directly.
  Cluster c(4);
  c.Submit(0, Tx(1));
  c.Advance(100);
  REQUIRE(c.R(1).executed_height() == 1);
  ReplicaCore& core = ReplicaTestAccess::MutableCore(c.R(1));
  Hash other = H("another block");
  CHECK(core.SignVote(MsgType::kPrepare, 2, other, VoteMsg{0, 2, other}.Encode()).has_value());
  CHECK_FALSE(core.SignVote(MsgType::kCommit, 2, H("third"), VoteMsg{0, 2, H("third")}.Encode())
                  .has_value());
  // Height 1 is delivered: only its own block may be endorsed there.
  CHECK_FALSE(core.SignVote(MsgType::kCommit, 1, other, VoteMsg{0, 1, other}.Encode()).has_value());
  CHECK(c.R(1).refused_signatures() == 2);
}

}  // namespace licenced::consensus
