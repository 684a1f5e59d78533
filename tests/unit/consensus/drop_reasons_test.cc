// Every message or request the replica drops is counted under its reason
// (Replica::dropped; the node exports licenced_consensus_dropped_total).
#include <catch2/catch.hpp>

#include "harness.h"

using namespace licenced;
using namespace licenced::consensus;
using namespace licenced::consensus::testing;

namespace {

uint64_t Dropped(Cluster& c, uint32_t i, DropReason r) { return c.R(i).dropped(r); }

}  // namespace

TEST_CASE("dropped messages are counted under their reason", "[consensus][drops]") {
  Cluster c(4);
  c.filter = [](const testing::Msg&) { return false; };  // replica 1 alone sees what we send
  const VoteMsg vote{0, 1, crypto::Sha256(AsBytes("block"))};

  SECTION("undecodable body") {
    // (An undecodable envelope never reaches the replica: the host decodes it.)
    c.Inject(2, 1, c.Sign(2, MsgType::kPrepare, ToBytes("short")));
    CHECK(Dropped(c, 1, DropReason::kUndecodable) == 1);
  }
  SECTION("a sender other than the link's peer, and a bad signature") {
    c.Inject(3, 1, c.Sign(2, MsgType::kPrepare, vote.Encode()));
    CHECK(Dropped(c, 1, DropReason::kSpoofedSender) == 1);
    SignedMessage m = c.Sign(2, MsgType::kPrepare, vote.Encode());
    m.signature[0] ^= 1;
    c.Inject(2, 1, m);
    CHECK(Dropped(c, 1, DropReason::kBadSignature) == 1);
  }
  SECTION("a prepare from the primary, a repeated one, and a second vote for another block") {
    c.Inject(0, 1, c.Sign(0, MsgType::kPrepare, vote.Encode()));
    CHECK(Dropped(c, 1, DropReason::kWrongSender) == 1);
    c.Inject(2, 1, c.Sign(2, MsgType::kPrepare, vote.Encode()));
    c.Inject(2, 1, c.Sign(2, MsgType::kPrepare, vote.Encode()));
    CHECK(Dropped(c, 1, DropReason::kDuplicate) == 1);
    VoteMsg other = vote;
    other.block_hash = crypto::Sha256(AsBytes("another block"));
    c.Inject(2, 1, c.Sign(2, MsgType::kPrepare, other.Encode()));
    CHECK(Dropped(c, 1, DropReason::kEquivocation) == 1);
  }
  SECTION("heights outside the watermarks and a pre-prepare from a backup") {
    VoteMsg far = vote;
    far.height = 10'000;
    c.Inject(2, 1, c.Sign(2, MsgType::kCommit, far.Encode()));
    CHECK(Dropped(c, 1, DropReason::kOutsideWatermarks) == 1);
    Block b;
    b.header.height = 1;
    b.txs = {Tx(1)};
    c.Inject(2, 1, c.Sign(2, MsgType::kPrePrepare, PrePrepareMsg{0, b}.Encode()));
    CHECK(Dropped(c, 1, DropReason::kWrongSender) == 1);
  }
  SECTION("an invalid request") {
    // The host found it invalid at its edge (InspectTestTx).
    c.Inject(2, 1, c.Sign(2, MsgType::kRequestBatch, RequestBatchMsg{{ToBytes("junk")}}.Encode()));
    CHECK(Dropped(c, 1, DropReason::kInvalidRequest) == 1);
  }
  // Nothing is counted under a reason it does not have.
  uint64_t total = 0;
  for (size_t r = 0; r < kDropReasons; ++r) {
    total += c.R(1).dropped(static_cast<DropReason>(r));
    CHECK(std::string(DropReasonName(static_cast<DropReason>(r))) != "unknown");
  }
  CHECK(total <= 5);
}
