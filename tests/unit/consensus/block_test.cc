// Block, header and commit-certificate encodings and checks.
#include <catch2/catch.hpp>

#include "consensus/block.h"
#include "core/merkle.h"
#include "tests/unit/consensus/harness.h"

namespace licenced::consensus {
namespace {

using testing::TestKey;

Block SampleBlock() {
  Block b;
  b.header.height = 7;
  b.header.prev_hash = crypto::Sha256(AsBytes("prev"));
  b.header.timestamp_ms = 1764115200123;
  b.txs = {ToBytes("tx-a"), ToBytes("tx-b"), ToBytes("tx-c")};
  b.header.tx_root = merkle::Root(b.txs);
  b.header.state_root = crypto::Sha256(AsBytes("state"));
  b.header.proposer = 2;
  return b;
}

ValidatorSet Four() {
  ValidatorSet v;
  for (uint32_t i = 0; i < 4; ++i) v.keys.push_back(TestKey(i).public_key());
  return v;
}

CommitCertificate Cert(const Block& b, std::vector<uint32_t> signers) {
  CommitCertificate c;
  c.view = 3;
  c.height = b.header.height;
  c.block_hash = b.ComputeHash();
  for (uint32_t i : signers) {
    c.signatures.emplace_back(
        i, TestKey(i).Sign(kCommitTag, CommitVoteBody(3, c.height, c.block_hash)));
  }
  return c;
}

}  // namespace

TEST_CASE("validator set sizes", "[consensus][block]") {
  ValidatorSet v = Four();
  CHECK(v.n() == 4);
  CHECK(v.f() == 1);
  CHECK(v.quorum() == 3);
  v.keys.resize(7, v.keys[0]);
  CHECK(v.f() == 2);
  CHECK(v.quorum() == 5);
}

TEST_CASE("block header round trip and fixed size", "[consensus][block]") {
  Block b = SampleBlock();
  Bytes enc = b.header.Encode();
  CHECK(enc.size() == BlockHeader::kEncodedSize);
  auto dec = BlockHeader::Decode(enc);
  REQUIRE(dec.ok());
  CHECK(*dec == b.header);
  CHECK(dec->ComputeHash() == crypto::Sha256(enc));
  enc.pop_back();
  CHECK_FALSE(BlockHeader::Decode(enc).ok());
}

TEST_CASE("block round trip, truncation and trailing bytes rejected", "[consensus][block]") {
  Block b = SampleBlock();
  Bytes enc = b.Encode();
  auto dec = Block::Decode(enc);
  REQUIRE(dec.ok());
  CHECK(*dec == b);
  for (size_t len = 0; len < enc.size(); ++len) {
    CHECK_FALSE(Block::Decode(ByteView(enc.data(), len)).ok());
  }
  enc.push_back(0);
  CHECK_FALSE(Block::Decode(enc).ok());
}

TEST_CASE("block decode rejects an absurd tx count without allocating", "[consensus][block]") {
  Writer w;
  w.Raw(SampleBlock().header.Encode()).U32(0xFFFFFFFF);
  CHECK_FALSE(Block::Decode(w.bytes()).ok());
}

TEST_CASE("block tx_root check", "[consensus][block]") {
  Block b = SampleBlock();
  CHECK(b.CheckTxRoot().ok());
  b.txs[1] = ToBytes("tx-evil");
  CHECK_FALSE(b.CheckTxRoot().ok());
}

TEST_CASE("commit certificate round trip and verification", "[consensus][block]") {
  Block b = SampleBlock();
  ValidatorSet v = Four();
  CommitCertificate c = Cert(b, {0, 1, 3});
  auto dec = CommitCertificate::Decode(c.Encode());
  REQUIRE(dec.ok());
  CHECK(*dec == c);
  CHECK(dec->Verify(v).ok());

  SECTION("too few signers") { CHECK_FALSE(Cert(b, {0, 1}).Verify(v).ok()); }
  SECTION("bad signature") {
    c.signatures[1].second[5] ^= 1;
    CHECK_FALSE(c.Verify(v).ok());
  }
  SECTION("signature for another block") {
    c.block_hash[0] ^= 1;
    CHECK_FALSE(c.Verify(v).ok());
  }
  SECTION("unknown signer") {
    c.signatures.emplace_back(9, c.signatures[0].second);
    CHECK_FALSE(c.Verify(v).ok());
  }
  SECTION("duplicate signer does not count twice") {
    CommitCertificate d = Cert(b, {0, 1});
    d.signatures.push_back(d.signatures[1]);
    CHECK_FALSE(d.Verify(v).ok());
    CHECK_FALSE(CommitCertificate::Decode(d.Encode()).ok());  // ids must ascend
  }
  SECTION("truncated") {
    Bytes enc = c.Encode();
    for (size_t len = 0; len < enc.size(); ++len) {
      CHECK_FALSE(CommitCertificate::Decode(ByteView(enc.data(), len)).ok());
    }
  }
}

}  // namespace licenced::consensus
