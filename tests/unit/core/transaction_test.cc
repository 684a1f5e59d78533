// Transactions (core/transaction.h): canonical encoding round trips, signature
// verification, and that tampering with any byte is caught.
#include <catch2/catch.hpp>

#include "core/encoding.h"
#include "core/transaction.h"

namespace licenced {
namespace {

Transaction MakeTx() {
  Transaction tx;
  tx.network_id = "licenced-local";
  tx.chaincode = "licence";
  tx.method = "issue";
  tx.args = ToBytes(R"({"type":"BL","holder":"ent-42"})");
  tx.nonce = 0x0102030405060708ULL;
  tx.SignWith(crypto::KeyPair::FromSeed(crypto::Seed{3}));
  return tx;
}

TEST_CASE("transaction: signed body is the documented field order", "[transaction]") {
  Transaction tx = MakeTx();
  Writer w;
  w.Str("licenced-local").Str("licence").Str("issue").Var(tx.args).Raw(tx.submitter).U64(tx.nonce);
  CHECK(tx.SigningBody() == w.bytes());
  Bytes full = w.Take();
  full.insert(full.end(), tx.signature.begin(), tx.signature.end());
  CHECK(tx.Encode() == full);
  CHECK(tx.Id() == crypto::Sha256(crypto::SigningBytes("licenced/tx/v1", tx.SigningBody())));
  CHECK(crypto::Verify(tx.submitter, "licenced/tx/v1", tx.SigningBody(), tx.signature));
}

TEST_CASE("transaction: encode/decode round trip and signature verifies", "[transaction]") {
  Transaction tx = MakeTx();
  REQUIRE(tx.VerifySignature());
  Bytes enc = tx.Encode();
  auto dec = Transaction::Decode(enc);
  REQUIRE(dec.ok());
  CHECK(*dec == tx);
  CHECK(dec->VerifySignature());
  CHECK(dec->Encode() == enc);
  CHECK(dec->Id() == tx.Id());

  Transaction empty;
  empty.SignWith(crypto::KeyPair::Generate());
  auto dec_empty = Transaction::Decode(empty.Encode());
  REQUIRE(dec_empty.ok());
  CHECK(*dec_empty == empty);
  CHECK(dec_empty->VerifySignature());
}

TEST_CASE("transaction: tampering with any byte fails decode or verification", "[transaction]") {
  Transaction tx = MakeTx();
  Bytes enc = tx.Encode();
  size_t decode_failures = 0;
  size_t verify_failures = 0;
  for (size_t i = 0; i < enc.size(); ++i) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}}) {
      Bytes bad = enc;
      bad[i] ^= flip;
      auto dec = Transaction::Decode(bad);
      if (!dec.ok()) {
        ++decode_failures;
        continue;
      }
      INFO("byte " << i);
      REQUIRE_FALSE(dec->VerifySignature());
      // The id covers the signed body, not the signature.
      if (i < tx.SigningBody().size()) CHECK(dec->Id() != tx.Id());
      ++verify_failures;
    }
  }
  CHECK(decode_failures + verify_failures == 2 * enc.size());
  CHECK(decode_failures > 0);  // length prefixes
  CHECK(verify_failures > 0);  // field contents and signature
}

TEST_CASE("transaction: truncation, trailing bytes and oversize are rejected", "[transaction]") {
  Bytes enc = MakeTx().Encode();
  for (size_t len = 0; len < enc.size(); ++len) {
    REQUIRE_FALSE(Transaction::Decode(ByteView(enc.data(), len)).ok());
  }
  Bytes longer = enc;
  longer.push_back(0);
  CHECK_FALSE(Transaction::Decode(longer).ok());

  Transaction big = MakeTx();
  big.args = Bytes(kMaxTransactionBytes, 'a');
  big.SignWith(crypto::KeyPair::FromSeed(crypto::Seed{3}));
  CHECK(Transaction::Decode(big.Encode()).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("transaction: a signature is bound to its network, submitter and nonce",
          "[transaction]") {
  Transaction tx = MakeTx();
  Transaction other_net = tx;
  other_net.network_id = "licenced-prod";
  CHECK_FALSE(other_net.VerifySignature());
  Transaction other_nonce = tx;
  other_nonce.nonce += 1;
  CHECK_FALSE(other_nonce.VerifySignature());
  CHECK(other_nonce.Id() != tx.Id());
  Transaction other_key = tx;
  other_key.submitter = crypto::KeyPair::FromSeed(crypto::Seed{4}).public_key();
  CHECK_FALSE(other_key.VerifySignature());
  // The same call with the same nonce has the same id (replay detection).
  CHECK(MakeTx().Id() == tx.Id());
}

}  // namespace
}  // namespace licenced
