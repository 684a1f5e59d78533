// Every consensus message type: encode/decode round trip, signature checked,
// truncated and malformed input rejected with a Status.
#include <catch2/catch.hpp>

#include "consensus/messages.h"
#include "core/merkle.h"
#include "tests/unit/consensus/harness.h"

namespace licenced::consensus {
namespace {

using testing::TestKey;

ValidatorSet Four() {
  ValidatorSet v;
  for (uint32_t i = 0; i < 4; ++i) v.keys.push_back(TestKey(i).public_key());
  return v;
}

Block SampleBlock() {
  Block b;
  b.header.height = 1;
  b.txs = {ToBytes("tx-1")};
  b.header.tx_root = merkle::Root(b.txs);
  return b;
}

SignedMessage Signed(uint32_t signer, MsgType type, Bytes body) {
  return SignedMessage::Sign(type, signer, std::move(body), TestKey(signer));
}

// Round trip of the envelope, signature check, and rejection of every prefix.
void CheckEnvelope(const SignedMessage& m) {
  ValidatorSet v = Four();
  Bytes enc = m.Encode();
  auto dec = SignedMessage::Decode(enc);
  REQUIRE(dec.ok());
  CHECK(*dec == m);
  CHECK(dec->Verify(v, {}).ok());
  SignedMessage bad = *dec;
  bad.signature[0] ^= 0x80;
  CHECK_FALSE(bad.Verify(v, {}).ok());
  SignedMessage forged = *dec;
  forged.sender = (forged.sender + 1) % 4;  // claims another sender
  CHECK_FALSE(forged.Verify(v, {}).ok());
  SignedMessage other_type = *dec;
  other_type.type = other_type.type == MsgType::kPrepare ? MsgType::kCommit : MsgType::kPrepare;
  CHECK_FALSE(other_type.Verify(v, {}).ok());  // domain separation by tag
  for (size_t len = 0; len < enc.size(); ++len) {
    CHECK_FALSE(SignedMessage::Decode(ByteView(enc.data(), len)).ok());
  }
}

template <typename T>
void CheckBodyTruncation(const Bytes& body) {
  for (size_t len = 0; len < body.size(); ++len) {
    CHECK_FALSE(T::Decode(ByteView(body.data(), len)).ok());
  }
  Bytes longer = body;
  longer.push_back(0);
  CHECK_FALSE(T::Decode(longer).ok());
}

PreparedCert SampleCert() {
  Block b = SampleBlock();
  PreparedCert c;
  c.pre_prepare = Signed(0, MsgType::kPrePrepare, PrePrepareMsg{0, b}.Encode());
  for (uint32_t i : {1u, 2u}) {
    c.prepares.push_back(Signed(i, MsgType::kPrepare, VoteMsg{0, 1, b.ComputeHash()}.Encode()));
  }
  return c;
}

}  // namespace

TEST_CASE("signing tags are distinct per type", "[consensus][messages]") {
  std::set<std::string_view> tags;
  for (int t = 1; t <= 8; ++t) tags.insert(TagFor(static_cast<MsgType>(t)));
  CHECK(tags.size() == 8);
  CHECK(TagFor(MsgType::kCommit) == kCommitTag);
}

TEST_CASE("unknown message type rejected", "[consensus][messages]") {
  SignedMessage m = Signed(1, MsgType::kStatus, StatusMsg{}.Encode());
  Bytes enc = m.Encode();
  enc[0] = 99;
  CHECK_FALSE(SignedMessage::Decode(enc).ok());
  enc[0] = 0;
  CHECK_FALSE(SignedMessage::Decode(enc).ok());
}

TEST_CASE("Request message", "[consensus][messages]") {
  RequestMsg r{ToBytes("tx-hello")};
  auto dec = RequestMsg::Decode(r.Encode());
  REQUIRE(dec.ok());
  CHECK(dec->tx == r.tx);
  CheckBodyTruncation<RequestMsg>(r.Encode());
  CheckEnvelope(Signed(2, MsgType::kRequest, r.Encode()));
}

TEST_CASE("PrePrepare message", "[consensus][messages]") {
  PrePrepareMsg p{5, SampleBlock()};
  auto dec = PrePrepareMsg::Decode(p.Encode());
  REQUIRE(dec.ok());
  CHECK(dec->view == 5);
  CHECK(dec->block == p.block);
  CheckBodyTruncation<PrePrepareMsg>(p.Encode());
  CheckEnvelope(Signed(1, MsgType::kPrePrepare, p.Encode()));
}

TEST_CASE("Prepare and Commit messages", "[consensus][messages]") {
  VoteMsg v{3, 9, crypto::Sha256(AsBytes("b"))};
  auto dec = VoteMsg::Decode(v.Encode());
  REQUIRE(dec.ok());
  CHECK(dec->view == 3);
  CHECK(dec->height == 9);
  CHECK(dec->block_hash == v.block_hash);
  CHECK(v.Encode() == CommitVoteBody(3, 9, v.block_hash));
  CheckBodyTruncation<VoteMsg>(v.Encode());
  CheckEnvelope(Signed(1, MsgType::kPrepare, v.Encode()));
  CheckEnvelope(Signed(3, MsgType::kCommit, v.Encode()));
}

TEST_CASE("Checkpoint message", "[consensus][messages]") {
  CheckpointMsg c{32, crypto::Sha256(AsBytes("b")), crypto::Sha256(AsBytes("s"))};
  auto dec = CheckpointMsg::Decode(c.Encode());
  REQUIRE(dec.ok());
  CHECK(*dec == c);
  CheckBodyTruncation<CheckpointMsg>(c.Encode());
  CheckEnvelope(Signed(0, MsgType::kCheckpoint, c.Encode()));
}

TEST_CASE("ViewChange message", "[consensus][messages]") {
  ViewChangeMsg vc;
  vc.new_view = 2;
  vc.checkpoint = CheckpointMsg{4, crypto::Sha256(AsBytes("b")), crypto::Sha256(AsBytes("s"))};
  for (uint32_t i : {0u, 1u, 2u}) {
    vc.checkpoint_proof.push_back(Signed(i, MsgType::kCheckpoint, vc.checkpoint.Encode()));
  }
  vc.prepared.push_back(SampleCert());
  Bytes body = vc.Encode();
  auto dec = ViewChangeMsg::Decode(body);
  REQUIRE(dec.ok());
  CHECK(dec->new_view == 2);
  CHECK(dec->checkpoint == vc.checkpoint);
  CHECK(dec->checkpoint_proof == vc.checkpoint_proof);
  REQUIRE(dec->prepared.size() == 1);
  CHECK(dec->prepared[0].pre_prepare == vc.prepared[0].pre_prepare);
  CHECK(dec->prepared[0].prepares == vc.prepared[0].prepares);
  CheckBodyTruncation<ViewChangeMsg>(body);
  CheckEnvelope(Signed(3, MsgType::kViewChange, body));

  SECTION("nested message of the wrong type is rejected") {
    vc.checkpoint_proof[0] = Signed(0, MsgType::kPrepare, VoteMsg{}.Encode());
    CHECK_FALSE(ViewChangeMsg::Decode(vc.Encode()).ok());
  }
  SECTION("absurd counts are rejected") {
    Writer w;
    w.U64(2).U64(0).Raw(Hash{}).Raw(Hash{}).U32(0x7FFFFFFF);
    CHECK_FALSE(ViewChangeMsg::Decode(w.bytes()).ok());
  }
}

TEST_CASE("NewView message", "[consensus][messages]") {
  ViewChangeMsg vc;
  vc.new_view = 1;
  NewViewMsg nv;
  nv.view = 1;
  for (uint32_t i : {1u, 2u, 3u})
    nv.view_changes.push_back(Signed(i, MsgType::kViewChange, vc.Encode()));
  nv.pre_prepares.push_back(
      Signed(1, MsgType::kPrePrepare, PrePrepareMsg{1, SampleBlock()}.Encode()));
  Bytes body = nv.Encode();
  auto dec = NewViewMsg::Decode(body);
  REQUIRE(dec.ok());
  CHECK(dec->view == 1);
  CHECK(dec->view_changes == nv.view_changes);
  CHECK(dec->pre_prepares == nv.pre_prepares);
  CheckBodyTruncation<NewViewMsg>(body);
  CheckEnvelope(Signed(1, MsgType::kNewView, body));
}

TEST_CASE("Status message", "[consensus][messages]") {
  StatusMsg s{7, true, 100, 96};
  auto dec = StatusMsg::Decode(s.Encode());
  REQUIRE(dec.ok());
  CHECK(dec->view == 7);
  CHECK(dec->in_view_change);
  CHECK(dec->executed_height == 100);
  CHECK(dec->stable_checkpoint == 96);
  CheckBodyTruncation<StatusMsg>(s.Encode());
  Bytes bad = s.Encode();
  bad[8] = 2;  // in_view_change must be 0 or 1
  CHECK_FALSE(StatusMsg::Decode(bad).ok());
  CheckEnvelope(Signed(2, MsgType::kStatus, s.Encode()));
}

TEST_CASE("prepared certificate and checkpoint proof round trip", "[consensus][messages]") {
  PreparedCert c = SampleCert();
  auto dc = PreparedCert::Decode(c.Encode());
  REQUIRE(dc.ok());
  CHECK(dc->pre_prepare == c.pre_prepare);
  CHECK(dc->prepares == c.prepares);
  CheckpointProof p{CheckpointMsg{8, Hash{}, Hash{}}, {}};
  p.messages.push_back(Signed(1, MsgType::kCheckpoint, p.checkpoint.Encode()));
  auto dp = CheckpointProof::Decode(p.Encode());
  REQUIRE(dp.ok());
  CHECK(dp->checkpoint == p.checkpoint);
  CHECK(dp->messages == p.messages);
}

TEST_CASE("decoders survive random garbage", "[consensus][messages]") {
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 2000; ++i) {
    Bytes junk(1 + i % 200);
    for (auto& b : junk) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      b = static_cast<uint8_t>(x);
    }
    (void)SignedMessage::Decode(junk);
    (void)ViewChangeMsg::Decode(junk);
    (void)NewViewMsg::Decode(junk);
    (void)PrePrepareMsg::Decode(junk);
    (void)Block::Decode(junk);
    (void)CommitCertificate::Decode(junk);
  }
  SUCCEED("no crash");
}

}  // namespace licenced::consensus

namespace licenced::consensus {

TEST_CASE("RequestBatch, BlockRequest and BlockResponse round trip and are bounded",
          "[consensus][messages]") {
  RequestBatchMsg rb{{ToBytes("tx-1"), ToBytes("tx-2"), Bytes{}}};
  auto rb2 = RequestBatchMsg::Decode(rb.Encode());
  REQUIRE(rb2.ok());
  CHECK(rb2->txs == rb.txs);
  CHECK_FALSE(RequestBatchMsg::Decode(RequestBatchMsg{}.Encode()).ok());  // empty
  RequestBatchMsg many;
  many.txs.assign(kMaxRequestBatchTxs + 1, Bytes{'t'});
  CHECK_FALSE(RequestBatchMsg::Decode(many.Encode()).ok());
  Bytes enc = rb.Encode();
  for (size_t i = 0; i < enc.size(); ++i) {
    CHECK_FALSE(RequestBatchMsg::Decode(ByteView(enc).subspan(0, i)).ok());
  }
  SignedMessage m = SignedMessage::Sign(MsgType::kRequestBatch, 2, enc, testing::TestKey(2));
  CHECK(CarriedTxs(m.Encode()) == rb.txs);

  BlockRequestMsg br{7, crypto::Sha256(AsBytes("b"))};
  auto br2 = BlockRequestMsg::Decode(br.Encode());
  REQUIRE(br2.ok());
  CHECK(br2->height == 7);
  CHECK(br2->block_hash == br.block_hash);

  Block b;
  b.header.height = 3;
  b.txs = {ToBytes("tx-a")};
  b.header.tx_root = merkle::Root(b.txs);
  auto resp = BlockResponseMsg::Decode(BlockResponseMsg{b}.Encode());
  REQUIRE(resp.ok());
  CHECK(resp->block == b);
}

TEST_CASE("a PrePrepare signs view || header: stripping keeps the signature",
          "[consensus][messages]") {
  ValidatorSet v;
  for (uint32_t i = 0; i < 4; ++i) v.keys.push_back(testing::TestKey(i).public_key());
  Block b;
  b.header.height = 2;
  b.txs = {ToBytes("tx-1"), ToBytes("tx-2")};
  b.header.tx_root = merkle::Root(b.txs);
  SignedMessage pp = SignedMessage::Sign(MsgType::kPrePrepare, 1, PrePrepareMsg{4, b}.Encode(),
                                         testing::TestKey(1));
  CHECK(pp.Verify(v, {}).ok());
  SignedMessage s = StripPrePrepare(pp);
  CHECK(s.Verify(v, {}).ok());
  CHECK(s.signature == pp.signature);
  auto d = PrePrepareMsg::Decode(s.body);
  REQUIRE(d.ok());
  CHECK(d->stripped());
  CHECK(d->view == 4);
  CHECK(d->block.header == b.header);
  // The view and the header are covered.
  SignedMessage other = pp;
  other.body = PrePrepareMsg{5, b}.Encode();
  CHECK_FALSE(other.Verify(v, {}).ok());
  Block b2 = b;
  b2.header.timestamp_ms += 1;
  other.body = PrePrepareMsg{4, b2}.Encode();
  CHECK_FALSE(other.Verify(v, {}).ok());
  // A too-short body has no signed part.
  other.body = Bytes(20, 0);
  CHECK_FALSE(other.Verify(v, {}).ok());
  CHECK(VerifyMessageSignatures(v, pp.Encode()).ok());
  CHECK(CarriedTxs(pp.Encode()) == b.txs);
}

TEST_CASE("messages over the cap are rejected by the decoder", "[consensus][messages]") {
  SignedMessage m;
  m.type = MsgType::kRequestBatch;
  m.body = Bytes(kMaxMessageBytes, 0);
  CHECK_FALSE(SignedMessage::Decode(m.Encode()).ok());
}

}  // namespace licenced::consensus
