// The Byzantine behaviours shared by the daemon's test mode and the
// simulator (node/byzantine.h), through the transport decorator both use:
// each mode forges what it says, validly signed where it matters, and only
// the peers' view changes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "consensus/block.h"
#include "consensus/messages.h"
#include "core/merkle.h"
#include "node/byzantine.h"

using namespace licenced;
using consensus::MsgType;
using consensus::ReplicaId;
using consensus::SignedMessage;

namespace {

constexpr size_t kN = 4;
constexpr ReplicaId kSelf = 0;

struct Recorder final : host::Transport {
  std::map<ReplicaId, std::vector<Bytes>> to;
  std::vector<Bytes> broadcasts;
  void Send(ReplicaId peer, const Bytes& m) override { to[peer].push_back(m); }
  void Broadcast(const Bytes& m) override { broadcasts.push_back(m); }
};

struct Rig {
  std::vector<crypto::KeyPair> keys;
  consensus::ValidatorSet validators;
  Recorder wire;
  std::unique_ptr<node::Byzantine> behaviour;
  std::unique_ptr<node::ByzantineTransport> transport;

  explicit Rig(const char* modes) {
    for (size_t i = 0; i < kN; ++i) {
      keys.push_back(crypto::KeyPair::Generate());
      validators.keys.push_back(keys.back().public_key());
    }
    node::Byzantine::Options o;
    auto parsed = node::ParseByzantineModes(modes);
    REQUIRE(parsed.ok());
    o.modes = *parsed;
    o.self = kSelf;
    o.validators = kN;
    o.seed = 7;
    behaviour = std::make_unique<node::Byzantine>(o, keys[kSelf]);
    transport = std::make_unique<node::ByzantineTransport>(behaviour.get(), &wire);
  }

  Bytes Signed(MsgType type, Bytes body) const {
    return SignedMessage::Sign(type, kSelf, std::move(body), keys[kSelf]).Encode();
  }
  Bytes PrePrepare(uint64_t view, uint64_t height) const {
    consensus::PrePrepareMsg pp;
    pp.view = view;
    pp.block.header.height = height;
    pp.block.header.proposer = kSelf;
    pp.block.header.timestamp_ms = 1000;
    pp.block.txs = {ToBytes("tx-a")};
    pp.block.header.tx_root = merkle::Root(pp.block.txs);
    return Signed(MsgType::kPrePrepare, pp.Encode());
  }
  Bytes Vote(MsgType type, uint64_t view, uint64_t height, const Hash& hash) const {
    return Signed(type, consensus::VoteMsg{view, height, hash}.Encode());
  }
  bool Verifies(const Bytes& m) const {
    return consensus::VerifyMessageSignatures(validators, ByteView(m)).ok();
  }
};

Hash BlockHashOf(const Bytes& pre_prepare) {
  auto m = SignedMessage::Decode(pre_prepare);
  REQUIRE(m.ok());
  auto pp = consensus::PrePrepareMsg::Decode(m->body);
  REQUIRE(pp.ok());
  return pp->block.ComputeHash();
}

}  // namespace

TEST_CASE("byzantine modes parse by name and refuse unknown ones", "[node][byzantine]") {
  auto all = node::ParseByzantineModes("all");
  REQUIRE(all.ok());
  CHECK(all->ToString() == "equivocate,double-vote,absurd-view,flood");
  auto some = node::ParseByzantineModes("silent,replay,bad-signature");
  REQUIRE(some.ok());
  CHECK(some->ToString() == "bad-signature,silent,replay");
  auto bad = node::ParseByzantineModes("equivocate,bogus");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("'bogus'"));
  CHECK_FALSE(node::ParseByzantineModes("").ok());
}

TEST_CASE("byzantine equivocate: two validly signed blocks for one (view, height), votes for both",
          "[node][byzantine]") {
  Rig rig("equivocate");
  rig.transport->Broadcast(rig.PrePrepare(0, 1));
  std::set<Hash> hashes;
  std::map<ReplicaId, Hash> story;
  for (ReplicaId peer = 1; peer < kN; ++peer) {
    REQUIRE(rig.wire.to[peer].size() == 1);
    const Bytes& pp = rig.wire.to[peer][0];
    CHECK(rig.Verifies(pp));
    story[peer] = BlockHashOf(pp);
    hashes.insert(story[peer]);
  }
  CHECK(hashes.size() == 2);    // two stories
  CHECK(story[1] == story[3]);  // peers at even positions among the others
  CHECK(story[2] != story[1]);  // the odd position gets the other block
  CHECK(rig.wire.to.count(kSelf) == 0);

  rig.wire.to.clear();
  rig.transport->Broadcast(rig.Vote(MsgType::kPrepare, 0, 1, story[1]));
  for (ReplicaId peer = 1; peer < kN; ++peer) {
    REQUIRE(rig.wire.to[peer].size() == 2);
    std::set<Hash> voted;
    for (const Bytes& m : rig.wire.to[peer]) {
      CHECK(rig.Verifies(m));
      auto sm = SignedMessage::Decode(m);
      REQUIRE(sm.ok());
      auto v = consensus::VoteMsg::Decode(sm->body);
      REQUIRE(v.ok());
      voted.insert(v->block_hash);
    }
    CHECK(voted == hashes);
    // The first vote is for the story this peer was told.
    auto first = consensus::VoteMsg::Decode(SignedMessage::Decode(rig.wire.to[peer][0])->body);
    CHECK(first->block_hash == story[peer]);
  }
}

TEST_CASE("byzantine double-vote: every vote goes out with a conflicting signed one",
          "[node][byzantine]") {
  Rig rig("double-vote");
  Hash h{};
  h[0] = 9;
  const Bytes honest = rig.Vote(MsgType::kCommit, 2, 5, h);
  rig.transport->Broadcast(honest);
  for (ReplicaId peer = 1; peer < kN; ++peer) {
    REQUIRE(rig.wire.to[peer].size() == 2);
    int originals = 0;
    for (const Bytes& m : rig.wire.to[peer]) {
      CHECK(rig.Verifies(m));
      if (m == honest) ++originals;
    }
    CHECK(originals == 1);
  }
}

TEST_CASE("byzantine silent sends nothing and serves no fetch, bad-signature breaks signatures",
          "[node][byzantine]") {
  Rig silent("silent");
  silent.transport->Broadcast(silent.PrePrepare(0, 1));
  silent.transport->Send(2, silent.Vote(MsgType::kPrepare, 0, 1, Hash{}));
  CHECK(silent.wire.to.empty());
  CHECK(silent.wire.broadcasts.empty());
  CHECK_FALSE(silent.behaviour->AnswersFetch());

  Rig bad("bad-signature");
  int broken = 0, sent = 0;
  for (int i = 0; i < 64; ++i) {
    bad.transport->Send(1, bad.Vote(MsgType::kPrepare, 0, 1 + i, Hash{}));
  }
  for (const Bytes& m : bad.wire.to[1]) {
    ++sent;
    if (!bad.Verifies(m)) ++broken;
  }
  CHECK(sent == 64);
  CHECK(broken > 8);
  CHECK(broken < 56);
  CHECK(bad.behaviour->AnswersFetch());
}

TEST_CASE("byzantine absurd-view broadcasts signed messages for absurd views",
          "[node][byzantine]") {
  Rig rig("absurd-view");
  for (int i = 0; i < 32; ++i) rig.transport->Send(1, rig.Vote(MsgType::kPrepare, 0, 1, Hash{}));
  REQUIRE_FALSE(rig.wire.broadcasts.empty());
  CHECK(rig.wire.broadcasts.size() % 4 == 0);
  for (const Bytes& m : rig.wire.broadcasts) {
    CHECK(rig.Verifies(m));
    auto sm = SignedMessage::Decode(m);
    REQUIRE(sm.ok());
    if (sm->type == MsgType::kViewChange) {
      auto vc = consensus::ViewChangeMsg::Decode(sm->body);
      REQUIRE(vc.ok());
      CHECK(vc->new_view >= 50);
    }
  }
  CHECK(rig.wire.to[1].size() == 32);  // the honest sends still go out
}

TEST_CASE("byzantine flood and replay add messages beside the honest one", "[node][byzantine]") {
  Rig flood("flood");
  const Bytes honest = flood.Vote(MsgType::kPrepare, 0, 1, Hash{});
  flood.transport->Send(3, honest);
  const auto& got = flood.wire.to[3];
  REQUIRE(got.size() > 4);
  CHECK(got[0] == honest);
  int not_verifying = 0;
  for (const Bytes& m : got) not_verifying += flood.Verifies(m) ? 0 : 1;
  CHECK(not_verifying >= 2);  // random bytes, truncated and flipped copies

  Rig replay("replay");
  std::vector<Bytes> sent;
  for (int i = 0; i < 30; ++i) {
    sent.push_back(replay.Vote(MsgType::kCommit, 0, 1 + i, Hash{}));
    replay.transport->Send(1, sent.back());
  }
  const auto& out = replay.wire.to[1];
  CHECK(out.size() > sent.size());
  for (const Bytes& m : out) CHECK(std::find(sent.begin(), sent.end(), m) != sent.end());
}
