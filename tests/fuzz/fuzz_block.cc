// Fuzz target: consensus/block.h decoders (blocks and certificates arrive from
// peers in state transfer and inside pre-prepares; certificates inside proof
// bundles). The first byte picks the decoder: 0 BlockHeader, 1 Block,
// 2 CommitCertificate. Invariants: Decode(x) ok => Encode(Decode(x)) == x;
// CheckTxRoot agrees with merkle::Root; a certificate Verify()s against the
// fixed 4-validator set only if it has a quorum of distinct signers and every
// signature is exactly the one that validator's key produces.
#include <set>

#include "consensus/block.h"
#include "core/merkle.h"
#include "fuzz_common.h"

using namespace licenced;
using namespace licenced::consensus;

namespace {
const ValidatorSet& Validators() {
  static const ValidatorSet set = [] {
    ValidatorSet s;
    for (uint32_t i = 0; i < fuzz::kValidators; ++i)
      s.keys.push_back(fuzz::ValidatorKey(i).public_key());
    return s;
  }();
  return set;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  if (size == 0) return 0;
  uint8_t which = data[0] % 3;
  ByteView in(data + 1, size - 1);
  const Bytes input(in.begin(), in.end());
  if (which == 0) {
    auto h = BlockHeader::Decode(in);
    if (!h.ok()) return 0;
    FUZZ_CHECK(h->Encode() == input, "BlockHeader: Encode(Decode(x)) != x");
    FUZZ_CHECK(input.size() == BlockHeader::kEncodedSize, "BlockHeader: wrong size accepted");
    FUZZ_CHECK(h->ComputeHash() == crypto::Sha256(input),
               "BlockHeader: hash is not of the encoding");
  } else if (which == 1) {
    auto b = Block::Decode(in);
    if (!b.ok()) return 0;
    FUZZ_CHECK(b->Encode() == input, "Block: Encode(Decode(x)) != x");
    FUZZ_CHECK(b->CheckTxRoot().ok() == (merkle::Root(b->txs) == b->header.tx_root),
               "Block: CheckTxRoot disagrees with merkle::Root");
  } else {
    auto c = CommitCertificate::Decode(in);
    if (!c.ok()) return 0;
    FUZZ_CHECK(c->Encode() == input, "CommitCertificate: Encode(Decode(x)) != x");
    for (size_t i = 1; i < c->signatures.size(); ++i) {
      FUZZ_CHECK(c->signatures[i - 1].first < c->signatures[i].first,
                 "CommitCertificate: signer ids not strictly ascending");
    }
    if (c->Verify(Validators()).ok()) {
      FUZZ_CHECK(c->signatures.size() >= Validators().quorum(), "CommitCertificate: below quorum");
      Bytes body = CommitVoteBody(c->view, c->height, c->block_hash);
      for (const auto& [id, sig] : c->signatures) {
        FUZZ_CHECK(id < fuzz::kValidators, "CommitCertificate: unknown signer accepted");
        FUZZ_CHECK(fuzz::ValidatorKey(id).Sign(kCommitTag, body) == sig,
                   "CommitCertificate: accepted a signature the validator did not make");
      }
      // Any change to what was signed breaks it.
      CommitCertificate other = *c;
      other.height ^= 1;
      FUZZ_CHECK(!other.Verify(Validators()).ok(),
                 "CommitCertificate: verifies for another height");
    }
  }
  return 0;
}
