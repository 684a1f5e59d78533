// Fuzz target: state::StateProof::Decode and VerifyStateProof (the status
// proofs in licence bundles are untrusted input to an offline verifier).
// Input: key index u8, claim u8, then the encoded proof. Invariants:
// Decode(x) ok => Encode(Decode(x)) == x; against the root of a fixed map,
// verification succeeds only for the true claim (the key's real value, or
// absence for an absent key): never for a wrong value, a present key claimed
// absent, or an absent key claimed present.
#include "fuzz_state_proof.h"
#include "core/crypto.h"
#include "fuzz_common.h"

using namespace licenced;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  static const fuzz::ProofFixture fixture;
  fuzz::Input in(data, size);
  uint32_t key_index = in.U8() % fuzz::kProofKeys;
  uint8_t claim = in.U8() % 3;  // 0 = absent, 1 = the true value, 2 = a wrong value
  Bytes raw = in.Rest();

  auto proof = state::StateProof::Decode(raw);
  if (!proof.ok()) return 0;
  FUZZ_CHECK(proof->Encode() == raw, "StateProof: Encode(Decode(x)) != x");

  const std::string key = fuzz::ProofKey(key_index);
  const std::optional<Bytes> truth = fuzz::ProofValue(key_index);
  std::optional<Bytes> claimed;
  if (claim == 1) claimed = truth.value_or(ToBytes("never-written"));
  if (claim == 2) claimed = ToBytes("wrong-" + key);
  Status s = state::VerifyStateProof(fixture.root, key, claimed, *proof);
  if (s.ok()) {
    FUZZ_CHECK(claimed == truth, "StateProof: verified a false claim for " + key);
  }
  // The honest proof of the same key always verifies the truth.
  auto honest = state::StateMap(fixture.store).Prove(key, 1);
  FUZZ_CHECK(honest.ok(), "StateMap::Prove failed");
  FUZZ_CHECK(state::VerifyStateProof(fixture.root, key, truth, *honest).ok(),
             "StateProof: honest proof rejected");
  return 0;
}
