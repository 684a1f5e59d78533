// Checkpoints every K blocks, stable with 2f+1, watermarks and garbage collection.
#include <catch2/catch.hpp>

#include "consensus/replica_core.h"
#include "tests/sim/test_access.h"
#include "tests/unit/consensus/harness.h"

namespace licenced::consensus {
namespace {
using testing::Cluster;
using testing::Tx;
}  // namespace

TEST_CASE("checkpoints become stable and the log is collected", "[consensus][checkpoint]") {
  Cluster c(4, [](ReplicaConfig& cfg) {
    cfg.max_batch_txs = 1;
    cfg.checkpoint_interval = 2;
    cfg.watermark_window = 4;
  });
  for (int i = 0; i < 5; ++i) {
    c.Submit(1, Tx(i));
    c.Advance(20);
  }
  for (uint32_t i = 0; i < 4; ++i) {
    CHECK(c.R(i).executed_height() == 5);
    CHECK(c.R(i).stable_checkpoint() == 4);
    // Votes and prepared certificates at or below the checkpoint are deleted.
    for (uint64_t h = 1; h <= 4; ++h) {
      CHECK(c.N(i).persisted.count(VoteKey(h)) == 0);
      CHECK(c.N(i).persisted.count(PreparedKey(h)) == 0);
    }
    CHECK(c.N(i).persisted.count(std::string(kKeyCheckpoint)) == 1);
    const ReplicaCore& core = ReplicaTestAccess::Core(c.R(i));
    CHECK(core.log_.begin()->first > 4);
  }
}

TEST_CASE("a checkpoint needs 2f+1 matching messages", "[consensus][checkpoint]") {
  Cluster c(4, [](ReplicaConfig& cfg) { cfg.checkpoint_interval = 2; });
  c.filter = [](const testing::Msg&) { return false; };
  CheckpointMsg ck{2, crypto::Sha256(AsBytes("b")), crypto::Sha256(AsBytes("s"))};
  c.Inject(1, 0, c.Sign(1, MsgType::kCheckpoint, ck.Encode()));
  c.Inject(2, 0, c.Sign(2, MsgType::kCheckpoint, ck.Encode()));
  CHECK(c.R(0).stable_checkpoint() == 0);
  CheckpointMsg other = ck;
  other.state_root[0] ^= 1;
  c.Inject(3, 0, c.Sign(3, MsgType::kCheckpoint, other.Encode()));  // disagrees
  CHECK(c.R(0).stable_checkpoint() == 0);
  c.Inject(3, 0, c.Sign(3, MsgType::kCheckpoint, ck.Encode()));  // one per sender per height
  CHECK(c.R(0).stable_checkpoint() == 0);
  SECTION("third matching message makes it stable, and the replica fetches what it lacks") {
    Cluster d(4, [](ReplicaConfig& cfg) { cfg.checkpoint_interval = 2; });
    d.filter = [](const testing::Msg&) { return false; };
    for (uint32_t s : {1u, 2u, 3u}) d.Inject(s, 0, d.Sign(s, MsgType::kCheckpoint, ck.Encode()));
    CHECK(d.R(0).stable_checkpoint() == 2);
    REQUIRE_FALSE(d.N(0).fetches.empty());
    CHECK(d.N(0).fetches.back().from_height == 1);
    CHECK(d.N(0).fetches.back().to_height == 2);
  }
}

TEST_CASE("messages beyond the high watermark are ignored", "[consensus][checkpoint]") {
  Cluster c(4, [](ReplicaConfig& cfg) {
    cfg.checkpoint_interval = 2;
    cfg.watermark_window = 4;
  });
  c.filter = [](const testing::Msg&) { return false; };
  VoteMsg far{0, 50, Hash{}};
  c.Inject(1, 0, c.Sign(1, MsgType::kPrepare, far.Encode()));
  c.Inject(1, 0, c.Sign(1, MsgType::kCommit, far.Encode()));
  const ReplicaCore& core = ReplicaTestAccess::Core(c.R(0));
  CHECK(core.log_.count(50) == 0);
}

}  // namespace licenced::consensus
