// proto <-> domain conversions reject malformed input.
#include <catch2/catch.hpp>

#include "consensus/block.h"
#include "core/merkle.h"
#include "core/transaction.h"
#include "node/block_fetch_worker.h"
#include "node/rpc/convert.h"

namespace v1 = licenced::v1;
using namespace licenced;

TEST_CASE("SubmitRequest transaction must decode", "[node][convert]") {
  v1::SubmitRequest req;
  auto r = node::TransactionFromProto(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);

  req.set_transaction("garbage");
  r = node::TransactionFromProto(req);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("does not decode"));

  Transaction tx;
  tx.network_id = "licenced-local";
  tx.chaincode = "identity";
  tx.method = "enrol_clerk";
  tx.args = ToBytes("{}");
  tx.SignWith(crypto::KeyPair::Generate());
  Bytes enc = tx.Encode();
  req.set_transaction(enc.data(), enc.size());
  r = node::TransactionFromProto(req);
  REQUIRE(r.ok());
  CHECK(*r == tx);

  enc.push_back(0);  // trailing byte
  req.set_transaction(enc.data(), enc.size());
  CHECK_FALSE(node::TransactionFromProto(req).ok());
}

TEST_CASE("tx id hex is checked", "[node][convert]") {
  CHECK_FALSE(node::HashFromProtoHex("abc", "tx_id_hex").ok());
  CHECK_FALSE(node::HashFromProtoHex(std::string(64, 'g'), "tx_id_hex").ok());
  CHECK_THAT(node::HashFromProtoHex("", "tx_id_hex").status().message(),
             Catch::Contains("tx_id_hex"));
  CHECK(node::HashFromProtoHex(std::string(64, 'a'), "tx_id_hex").ok());
}

TEST_CASE("BlockWithCert must decode and match", "[node][convert]") {
  consensus::Block b;
  b.header.height = 3;
  b.txs = {ToBytes("a"), ToBytes("b")};
  b.header.tx_root = merkle::Root(b.txs);
  consensus::CommitCertificate c;
  c.height = 3;
  c.block_hash = b.ComputeHash();
  Bytes be = b.Encode(), ce = c.Encode();

  v1::BlockWithCert item;
  item.set_block(be.data(), be.size());
  item.set_certificate(ce.data(), ce.size());
  item.set_height(3);
  REQUIRE(node::BlockWithCertFromProto(item).ok());

  auto bad = item;
  bad.set_block("junk");
  CHECK_THAT(node::BlockWithCertFromProto(bad).status().message(), Catch::Contains("block"));
  bad = item;
  bad.set_certificate(std::string(ce.begin(), ce.end() - 1));
  CHECK_THAT(node::BlockWithCertFromProto(bad).status().message(), Catch::Contains("certificate"));
  bad = item;
  bad.set_height(4);
  CHECK_FALSE(node::BlockWithCertFromProto(bad).ok());
  consensus::CommitCertificate other = c;
  other.block_hash[0] ^= 1;
  Bytes oe = other.Encode();
  bad = item;
  bad.set_certificate(oe.data(), oe.size());
  CHECK_THAT(node::BlockWithCertFromProto(bad).status().message(),
             Catch::Contains("not for this block"));
}

TEST_CASE("event filters select by org and kind", "[node][convert]") {
  node::EventRecord e;
  e.kind = "task_ready";
  e.orgs = {"police"};
  v1::EventFilter f;
  CHECK(node::EventMatches(f, e));
  f.set_org("police");
  CHECK(node::EventMatches(f, e));
  f.set_org("tax");
  CHECK_FALSE(node::EventMatches(f, e));
  f.set_org("");
  f.add_kinds("licence_issued");
  CHECK_FALSE(node::EventMatches(f, e));
  f.add_kinds("task_ready");
  CHECK(node::EventMatches(f, e));
}

TEST_CASE("status codes map to gRPC codes", "[node][convert]") {
  CHECK(node::ToGrpcCode(StatusCode::kAlreadyExists) == grpc::StatusCode::ALREADY_EXISTS);
  CHECK(node::ToGrpcCode(StatusCode::kInvalidArgument) == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(node::ToGrpcCode(StatusCode::kPermissionDenied) == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(node::ToGrpcCode(StatusCode::kFailedPrecondition) == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK(node::ToGrpcCode(StatusCode::kUnavailable) == grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("fetched blocks are decoded once, up to the first bad one", "[node][convert]") {
  node::RawBlocks raw;
  Hash prev{};
  for (uint64_t h = 1; h <= 4; ++h) {
    consensus::Block b;
    b.header.height = h;
    b.header.prev_hash = prev;
    b.txs = {ToBytes("tx-" + std::to_string(h))};
    b.header.tx_root = merkle::Root(b.txs);
    consensus::CommitCertificate c;
    c.height = h;
    c.block_hash = b.ComputeHash();
    prev = c.block_hash;
    raw.emplace_back(b.Encode(), c.Encode());
  }
  std::string error;
  CHECK(node::DecodeFetchedBlocks(raw, &error).blocks.size() == 4);
  CHECK(error.empty());

  // A state certificate travels with its block; one for another block is
  // left out, and its block kept.
  consensus::CheckpointProof sc;
  sc.checkpoint.height = 1;
  sc.checkpoint.block_hash = consensus::Block::Decode(raw[0].block)->ComputeHash();
  raw[0].state_certificate = sc.Encode();
  sc.checkpoint.height = 2;  // another block's hash
  raw[1].state_certificate = sc.Encode();
  auto fetched = node::DecodeFetchedBlocks(raw, &error);
  CHECK(fetched.blocks.size() == 4);
  REQUIRE(fetched.state_certificates.size() == 1);
  CHECK(fetched.state_certificates[0].checkpoint.height == 1);
  CHECK_THAT(error, Catch::Contains("state certificate of fetched block 2"));
  raw[1].state_certificate.clear();
  error.clear();

  raw[2].certificate = raw[1].certificate;  // block 3 with block 2's certificate
  CHECK(node::DecodeFetchedBlocks(raw, &error).blocks.size() == 2);
  CHECK_THAT(error, Catch::Contains("is for another block"));

  raw[1].block.resize(raw[1].block.size() / 2);
  error.clear();
  CHECK(node::DecodeFetchedBlocks(raw, &error).blocks.size() == 1);
  CHECK_THAT(error, Catch::Contains("does not decode"));
}
