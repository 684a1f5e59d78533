// ReplicaHost (node/host/replica_host.h): persist coalescing and the
// persist-before-send rule, halting on a failed log write, timer generations,
// one fetch in flight with the fetch limit, and inputs that arrive while the
// host is interpreting. Each port call is recorded in one ordered log.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "consensus/replica_core.h"
#include "harness.h"
#include "node/host/replica_host.h"
#include "tests/sim/test_access.h"

using namespace licenced;
using namespace licenced::consensus;
using namespace licenced::consensus::testing;

namespace {

class RecordingPorts final : public host::Transport,
                             public host::TimerPort,
                             public host::ExecutionQueue,
                             public host::BlockFetcher,
                             public host::ConsensusLogPort,
                             public host::Clock,
                             public host::HostListener {
 public:
  void Send(ReplicaId to, const Bytes&) override { calls.push_back("send " + std::to_string(to)); }
  void Broadcast(const Bytes&) override { calls.push_back("broadcast"); }
  void Arm(TimerId id, uint64_t generation, TimeMs) override {
    calls.push_back("arm " + std::to_string(id));
    armed[id] = generation;
  }
  void Cancel(TimerId id) override { calls.push_back("cancel " + std::to_string(id)); }
  void Enqueue(Deliver d) override {
    calls.push_back("deliver " + std::to_string(d.block.header.height));
    if (on_deliver) on_deliver(d);
  }
  void Certified(consensus::Certified c) override {
    calls.push_back("certified " + std::to_string(c.certificate.checkpoint.height));
  }
  void HaltExecution(const consensus::HaltExecution& h) override {
    calls.push_back("halt execution " + std::to_string(h.height));
  }
  bool Fetch(ReplicaId peer, uint64_t from, uint64_t to) override {
    calls.push_back("fetch " + std::to_string(peer) + " " + std::to_string(from) + ".." +
                    std::to_string(to));
    return fetch_starts;
  }
  Status Write(const std::vector<std::pair<std::string, Bytes>>& batch) override {
    calls.push_back("write " + std::to_string(batch.size()));
    return write_status;
  }
  Status Sync() override {
    calls.push_back("sync");
    return Status::Ok();
  }
  TimeMs Now() override { return now; }
  void OnHalt(const Status& s) override { halts.push_back(s.message()); }

  std::vector<std::string> calls;
  std::map<TimerId, uint64_t> armed;
  std::vector<std::string> halts;
  Status write_status;
  bool fetch_starts = true;
  std::function<void(const Deliver&)> on_deliver;
  TimeMs now = kT0;
};

host::HostPorts PortsOf(RecordingPorts& r) {
  host::HostPorts p;
  p.transport = &r;
  p.timers = &r;
  p.execution = &r;
  p.fetcher = &r;
  p.log = &r;
  p.clock = &r;
  p.listener = &r;
  return p;
}

std::unique_ptr<Replica> MakeReplica(uint32_t self) {
  ValidatorSet vs;
  for (uint32_t i = 0; i < 4; ++i) vs.keys.push_back(TestKey(i).public_key());
  ReplicaConfig c;
  c.validators = vs;
  c.self = self;
  c.genesis_hash = Cluster::GenesisHash();
  c.genesis_time_ms = kT0 - 1000;
  c.status_interval = 100;
  auto r = Replica::Create(c, TestKey(self), {}, 0, Cluster::GenesisHash(), Cluster::GenesisRoot());
  REQUIRE(r.ok());
  return std::move(r).value();
}

Persist P(const std::string& key) { return Persist{key, ToBytes("v")}; }

}  // namespace

TEST_CASE("host coalesces persists and syncs them before anything leaves", "[host]") {
  RecordingPorts r;
  host::ReplicaHost h(MakeReplica(1), PortsOf(r), {});
  r.calls.clear();
  h.Interpret({P("a"), P("b"), P("c"), SendTo{2, ToBytes("m")}, P("d"), Broadcast{ToBytes("m")},
               P("e"), P("f")});
  CHECK(r.calls == std::vector<std::string>{"write 3", "sync", "send 2", "write 1", "sync",
                                            "broadcast", "write 2"});
  // The trailing writes are synced before the next effect that leaves the host.
  r.calls.clear();
  h.Interpret({SetTimer{kTimerFetch, kT0 + 5}});
  CHECK(r.calls == std::vector<std::string>{"sync", "arm 4"});
}

TEST_CASE("host halts for good when the consensus log cannot be written", "[host]") {
  RecordingPorts r;
  host::ReplicaHost h(MakeReplica(1), PortsOf(r), {});
  r.calls.clear();
  r.write_status = Status::IoError("disk full");
  h.Interpret({P("vote"), SendTo{2, ToBytes("commit")}, Broadcast{ToBytes("x")}});
  CHECK(r.calls == std::vector<std::string>{"write 1"});  // the vote's send never happens
  CHECK(h.halted());
  REQUIRE(r.halts.size() == 1);
  CHECK_THAT(r.halts[0], Catch::Contains("disk full"));
  // Nothing reaches the replica any more.
  r.write_status = Status::Ok();
  r.calls.clear();
  h.OnRequest(ToBytes("tx-1"), crypto::Sha256(ToBytes("tx-1")));
  h.OnTimer(kTimerTick, r.armed[kTimerTick]);
  h.Interpret({SendTo{3, ToBytes("m")}});
  CHECK(r.calls.empty());
  CHECK(r.halts.size() == 1);
}

TEST_CASE("a replica whose invariants break sends nothing more and its host halts",
          "[host][invariants]") {
  RecordingPorts r;
  host::ReplicaHost h(MakeReplica(1), PortsOf(r), {});
  h.Start();
  REQUIRE_FALSE(h.replica().broken_invariant());
  ReplicaCore& core = ReplicaTestAccess::MutableCore(h.mutable_replica());
  std::string expected;
  SECTION("execution ahead of delivery") {
    core.executed_height_ = 5;
    expected = "executed height 5 is above delivered height 0";
  }
  SECTION("a vote the vote record does not hold") {
    Slot& s = core.log_[1];
    s.phase = SlotPhase::kCommitSent;
    s.pp_view = core.view_;
    expected = "slot 1: commit-sent but the vote record does not hold that vote";
  }
  SECTION("a pre-prepare of another view") {
    Slot& s = core.log_[2];
    s.phase = SlotPhase::kPrePrepared;
    s.pp_view = core.view_ + 1;
    expected = "slot 2: pre-prepared for view 1 in view 0";
  }
  r.calls.clear();
  h.OnRequest(ToBytes("tx-1"), crypto::Sha256(ToBytes("tx-1")));
  REQUIRE(h.replica().broken_invariant());
  CHECK_THAT(*h.replica().broken_invariant(), Catch::Contains(expected));
  // The step's effects are discarded: nothing written, sent or armed.
  CHECK(r.calls.empty());
  CHECK(h.halted());
  REQUIRE(r.halts.size() == 1);
  CHECK_THAT(r.halts[0], Catch::Contains("consensus invariant violated: " + expected));
  h.OnRequest(ToBytes("tx-2"), crypto::Sha256(ToBytes("tx-2")));
  CHECK(r.calls.empty());
  CHECK(r.halts.size() == 1);
}

TEST_CASE("host ignores timer firings that are stale, cancelled or repeated", "[host]") {
  RecordingPorts r;
  host::ReplicaHost h(MakeReplica(1), PortsOf(r), {});
  h.Start();  // arms the tick timer
  REQUIRE(r.armed.count(kTimerTick) == 1);
  const uint64_t first = r.armed[kTimerTick];
  // Re-armed: the first arming's firing is stale.
  h.Interpret({SetTimer{kTimerTick, kT0 + 50}});
  const uint64_t second = r.armed[kTimerTick];
  CHECK(second > first);
  r.calls.clear();
  h.OnTimer(kTimerTick, first);
  CHECK(r.calls.empty());
  // The current one fires: the replica ticks (and re-arms the tick).
  h.OnTimer(kTimerTick, second);
  CHECK(std::find(r.calls.begin(), r.calls.end(), "arm 3") != r.calls.end());
  CHECK(r.armed[kTimerTick] > second);
  // Fired once: the same firing again does nothing.
  r.calls.clear();
  h.OnTimer(kTimerTick, second);
  CHECK(r.calls.empty());
  // Cancelled: its firing does nothing.
  const uint64_t third = r.armed[kTimerTick];
  h.Interpret({CancelTimer{kTimerTick}});
  CHECK(r.calls == std::vector<std::string>{"cancel 3"});
  r.calls.clear();
  h.OnTimer(kTimerTick, third);
  CHECK(r.calls.empty());
}

TEST_CASE("host keeps one fetch in flight and cuts it to the fetch limit", "[host]") {
  RecordingPorts r;
  host::HostOptions o;
  o.max_blocks_per_fetch = 10;
  host::ReplicaHost h(MakeReplica(1), PortsOf(r), o);
  r.calls.clear();
  h.Interpret({FetchBlocks{2, 1, 500}, FetchBlocks{3, 1, 500}});
  CHECK(r.calls == std::vector<std::string>{"fetch 2 1..10"});
  CHECK(h.fetch_in_flight());
  h.OnFetched({}, {});  // nothing arrived (the peer timed out)
  CHECK_FALSE(h.fetch_in_flight());
  r.calls.clear();
  h.Interpret({FetchBlocks{3, 5, 7}});
  CHECK(r.calls == std::vector<std::string>{"fetch 3 5..7"});
  h.OnFetched({}, {});
  // A fetcher that cannot start (no link) leaves nothing in flight.
  r.fetch_starts = false;
  r.calls.clear();
  h.Interpret({FetchBlocks{2, 1, 1}, FetchBlocks{3, 1, 1}});
  CHECK(r.calls == std::vector<std::string>{"fetch 2 1..1", "fetch 3 1..1"});
  CHECK_FALSE(h.fetch_in_flight());
}

TEST_CASE("host runs the effects of an input that arrives mid-interpretation after the queued ones",
          "[host]") {
  // An execution queue that answers from inside Enqueue (as the replica
  // fuzzer's does): what that answer produces runs after what was already queued.
  RecordingPorts r;
  host::ReplicaHost* hp = nullptr;
  r.on_deliver = [&](const Deliver&) { hp->Interpret({P("x"), SendTo{3, ToBytes("reply")}}); };
  host::ReplicaHost h(MakeReplica(1), PortsOf(r), {});
  hp = &h;
  r.calls.clear();
  Block b;
  b.header.height = 1;
  h.Interpret({Deliver{b, CommitCertificate{}}, SendTo{2, ToBytes("queued")}});
  CHECK(r.calls == std::vector<std::string>{"deliver 1", "send 2", "write 1", "sync", "send 3"});
}
