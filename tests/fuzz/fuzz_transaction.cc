// Fuzz target: Transaction::Decode (client transactions, untrusted bytes).
// Invariants: Decode(x) ok => Encode(Decode(x)) == x (the encoding is
// canonical); Id() is a function of the signed body only; a signature verifies
// only if it is exactly what the submitter's key produces (checked for the
// known keys of the seed corpus, since Ed25519 signing is deterministic), and
// never after any change to the signed body.
#include <vector>

#include "core/genesis.h"
#include "core/transaction.h"
#include "fuzz_common.h"

using namespace licenced;

namespace {
// The keys the seed generator signs with (dev admin keys of every org).
const std::vector<crypto::KeyPair>& KnownKeys() {
  static const std::vector<crypto::KeyPair> keys = [] {
    std::vector<crypto::KeyPair> k;
    for (const char* org : {"market", "police", "social", "tax", "health", "bank"}) {
      k.push_back(crypto::KeyPair::FromSeed(DevSeed("admin", org)));
    }
    for (uint32_t i = 0; i < fuzz::kValidators; ++i) k.push_back(fuzz::ValidatorKey(i));
    return k;
  }();
  return keys;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  ByteView in(data, size);
  auto tx = Transaction::Decode(in);
  if (!tx.ok()) return 0;
  Bytes again = tx->Encode();
  FUZZ_CHECK(again == Bytes(in.begin(), in.end()), "Transaction: Encode(Decode(x)) != x");
  auto tx2 = Transaction::Decode(again);
  FUZZ_CHECK(tx2.ok() && *tx2 == *tx, "Transaction: decode of own encoding differs");

  Transaction other = *tx;
  other.signature[0] ^= 1;
  FUZZ_CHECK(other.Id() == tx->Id(), "Transaction: Id depends on the signature");

  bool valid = tx->VerifySignature();
  if (valid) {
    FUZZ_CHECK(!other.VerifySignature(), "Transaction: a flipped signature bit still verifies");
    Transaction body = *tx;
    body.nonce ^= 1;
    FUZZ_CHECK(!body.VerifySignature(), "Transaction: signature verifies for another nonce");
    body = *tx;
    body.args.push_back(' ');
    FUZZ_CHECK(!body.VerifySignature(), "Transaction: signature verifies for other args");
    for (const crypto::KeyPair& k : KnownKeys()) {
      if (k.public_key() == tx->submitter) {
        FUZZ_CHECK(k.Sign(kTxSigningTag, tx->SigningBody()) == tx->signature,
                   "Transaction: accepted a signature the key holder did not make");
      }
    }
  }
  return 0;
}
