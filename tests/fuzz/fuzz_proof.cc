// Fuzz target: licence proof bundles and presentations (proof/), formats v1
// and v2, the input of every offline verifier (bank, other department):
// canonical bytes, the JSON files and QR payloads, and the v2 compact record
// codec. The first byte picks the kind (fuzz_proof.h).
// Invariants: never crashes; Decode(x) ok => Encode(Decode(x)) == x; the JSON
// files are a fixed point (FromJson(ToJson(v)) == v); verifying the bytes and
// the decoded value give the same verdict, and so does verifying with a warm
// certificate cache; a VALID verdict is re-checked independently: the
// certificates verify against the genesis validators and hold only signatures
// those keys made, the header is the certified one, (v1) the issuing tx is
// correctly signed and included under the header's tx_root, the status value
// is proven against its header's state_root and commits to the record's hash,
// and a presentation answers the verifier's challenge. Compact records:
// Expand(x) ok => Compact(Expand(x)) == x and the identifier is the JSON's;
// Compact(t) ok => Expand(Compact(t)) == t.
#include "fuzz_proof.h"
#include "chaincode/licence_status.h"
#include "core/merkle.h"
#include "core/state_map.h"
#include "core/transaction.h"
#include "fuzz_common.h"
#include "proof/record_codec.h"
#include "proof/verify.h"

#include <nlohmann/json.hpp>

using namespace licenced;
using namespace licenced::proof;

namespace {

struct Fixture {
  DevNetwork net = MakeDevNetwork();
  Verifier verifier{net.genesis};
  consensus::ValidatorSet validators;
  Fixture() {
    for (const auto& v : net.genesis.validators) validators.keys.push_back(v.public_key);
  }
};
const Fixture& F() {
  static const Fixture* f = new Fixture();
  return *f;
}
// Shared across inputs, so seeds warm it and mutants hit it.
CertificateCache& Cache() {
  static CertificateCache* c = new CertificateCache(64);
  return *c;
}

void CheckCertificate(const consensus::BlockHeader& header,
                      const consensus::CommitCertificate& cert) {
  FUZZ_CHECK(cert.Verify(F().validators).ok(), "VALID with a certificate that does not verify");
  FUZZ_CHECK(cert.block_hash == header.ComputeHash() && cert.height == header.height,
             "VALID with a certificate for another header");
  Bytes body = consensus::CommitVoteBody(cert.view, cert.height, cert.block_hash);
  for (const auto& [id, sig] : cert.signatures) {
    FUZZ_CHECK(id < F().net.validator_keys.size(), "VALID with an unknown signer");
    FUZZ_CHECK(F().net.validator_keys[id].Sign(consensus::kCommitTag, body) == sig,
               "VALID with a signature the validator did not make");
  }
}

void CheckStateCertificate(const consensus::BlockHeader& header, const StateVotes& votes) {
  const Bytes body =
      consensus::CheckpointMsg{header.height, header.ComputeHash(), votes.state_root}.Encode();
  FUZZ_CHECK(votes.signatures.size() >= F().validators.quorum(),
             "VALID with a state certificate below quorum");
  for (size_t i = 0; i < votes.signatures.size(); ++i) {
    const auto& [id, sig] = votes.signatures[i];
    FUZZ_CHECK(i == 0 || votes.signatures[i - 1].first < id, "VALID with a repeated state voter");
    FUZZ_CHECK(id < F().net.validator_keys.size(), "VALID with an unknown state voter");
    FUZZ_CHECK(F().net.validator_keys[id].Sign(consensus::TagFor(consensus::MsgType::kCheckpoint),
                                               body) == sig,
               "VALID with a state vote the validator did not make");
  }
}

void CheckValidBundle(const Bundle& b) {
  FUZZ_CHECK(b.format == kFormatV1 || b.format == kFormatV2 || b.format == kFormatV3,
             "VALID with an unknown format");
  FUZZ_CHECK(b.format != kFormatV3 || (b.status && b.status->state),
             "VALID v3 bundle without a state certificate");
  if (b.format == kFormatV1) {
    const TxInclusion& t = b.issuance;
    CheckCertificate(t.header, t.certificate);
    auto tx = Transaction::Decode(t.tx);
    FUZZ_CHECK(tx.ok() && tx->VerifySignature(), "VALID with a badly signed issuing tx");
    FUZZ_CHECK(tx->network_id == F().net.genesis.network_id, "VALID for another network");
    FUZZ_CHECK(merkle::VerifyInclusion(merkle::LeafHash(t.tx), t.index, t.tree_size, t.path,
                                       t.header.tx_root)
                   .ok(),
               "VALID with an issuing tx not under the header's tx_root");
  }
  FUZZ_CHECK(b.status.has_value(), "VALID without a status proof");
  auto st = chaincode::LicenceStatusValue::Decode(b.status->value);
  FUZZ_CHECK(st.ok() && st->record_hash == crypto::Sha256(b.record),
             "VALID with a status value that is not for this record");
  if (b.status->state) {
    CheckStateCertificate(b.status->header, *b.status->state);
  } else {
    CheckCertificate(b.status->header, b.status->certificate);
  }
  const Hash& root = b.status->state ? b.status->state->state_root : b.status->header.state_root;
  FUZZ_CHECK(state::VerifyStateProof(root, chaincode::LicenceStatusKey(b.licence_id),
                                     b.status->value, b.status->proof)
                 .ok(),
             "VALID with a status value not proven against the certified state root");
}

VerifyOptions Opts() {
  VerifyOptions o;
  o.challenge = std::string(fuzz::kProofChallenge);
  o.now_ms = fuzz::kProofNowMs;
  return o;
}

void CheckPresentation(const Presentation& p) {
  Verdict v = F().verifier.Verify(p, Opts());
  Verdict ve = F().verifier.VerifyEncoded(p.Encode(), Opts());
  if (std::getenv("FUZZ_VERBOSE")) std::fprintf(stderr, "presentation: %s\n", v.ToJson().c_str());
  FUZZ_CHECK(v.outcome == ve.outcome && v.reason == ve.reason, "Verify and VerifyEncoded disagree");
  VerifyOptions cached = Opts();
  cached.cache = &Cache();
  Verdict vc = F().verifier.Verify(p, cached);
  FUZZ_CHECK(v.outcome == vc.outcome && v.reason == vc.reason,
             "a certificate cache changed the verdict of a presentation");
  if (v.valid()) {
    CheckValidBundle(p.bundle);
    FUZZ_CHECK(p.challenge == fuzz::kProofChallenge, "VALID presentation for another challenge");
  }
  auto back = PresentationFromJson(PresentationToJson(p));
  FUZZ_CHECK(back.ok() && *back == p, "Presentation JSON file is not a fixed point");
}

void CheckBundle(const Bundle& b) {
  Verdict v = F().verifier.VerifyBundle(b, Opts());
  Verdict ve = F().verifier.VerifyBundleEncoded(b.Encode(), Opts());
  if (std::getenv("FUZZ_VERBOSE")) std::fprintf(stderr, "bundle: %s\n", v.ToJson().c_str());
  FUZZ_CHECK(v.outcome == ve.outcome && v.reason == ve.reason,
             "VerifyBundle and VerifyBundleEncoded disagree");
  VerifyOptions cached = Opts();
  cached.cache = &Cache();
  Verdict vc = F().verifier.VerifyBundle(b, cached);
  FUZZ_CHECK(v.outcome == vc.outcome && v.reason == vc.reason,
             "a certificate cache changed the verdict of a bundle");
  if (b.format == kFormatV1 && b.status) {
    // The v2 form of a bundle keeps the record and status: same status verdict
    // unless v1 failed on its issuance part.
    auto v2 = ToV2(b);
    if (v2.ok()) {
      auto rt = Bundle::Decode(v2->Encode());
      FUZZ_CHECK(rt.ok() && *rt == *v2, "ToV2: Decode(Encode(b)) != b");
      if (v.valid()) {
        Verdict v2v = F().verifier.VerifyBundle(*v2, Opts());
        FUZZ_CHECK(v2v.valid(), "a VALID v1 bundle's v2 form does not verify");
      }
    }
  }
  if (b.format == kFormatV3) {
    auto rt = Bundle::Decode(b.Encode());
    FUZZ_CHECK(!rt.ok() || *rt == b || !v.valid(), "v3: Decode(Encode(b)) != b for a VALID bundle");
  }
  if (v.valid()) CheckValidBundle(b);
  auto back = BundleFromJson(BundleToJson(b));
  FUZZ_CHECK(back.ok() && *back == b, "Bundle JSON file is not a fixed point");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  if (size == 0) return 0;
  uint8_t kind = data[0] % fuzz::kProofKinds;
  ByteView in(data + 1, size - 1);
  const Bytes input(in.begin(), in.end());
  std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  switch (kind) {
    case fuzz::kProofBundleBytes: {
      auto b = Bundle::Decode(in);
      if (!b.ok()) return 0;
      FUZZ_CHECK(b->Encode() == input, "Bundle: Encode(Decode(x)) != x");
      CheckBundle(*b);
      break;
    }
    case fuzz::kProofPresentationBytes: {
      auto p = Presentation::Decode(in);
      if (!p.ok()) return 0;
      FUZZ_CHECK(p->Encode() == input, "Presentation: Encode(Decode(x)) != x");
      CheckPresentation(*p);
      break;
    }
    case fuzz::kProofBundleJson: {
      auto b = BundleFromJson(text);
      if (b.ok()) CheckBundle(*b);
      break;
    }
    case fuzz::kProofCompactRecord: {
      auto e = ExpandRecord(in);
      if (!e.ok()) return 0;
      auto c = CompactRecord(e->json);
      FUZZ_CHECK(c.ok() && *c == input, "compact record: Compact(Expand(x)) != x");
      auto j = nlohmann::json::parse(e->json.begin(), e->json.end(), nullptr, false);
      FUZZ_CHECK(!j.is_discarded() && j.is_object(), "compact record expands to invalid JSON");
      auto id = j.find("identifier");
      std::string want = id != j.end() && id->is_string() ? id->get<std::string>() : "";
      FUZZ_CHECK(e->identifier == want, "compact record: identifier differs from the JSON's");
      break;
    }
    case fuzz::kProofRecordJson: {
      auto c = CompactRecord(in);
      if (!c.ok()) return 0;
      auto e = ExpandRecord(*c);
      FUZZ_CHECK(e.ok() && e->json == input, "compact record: Expand(Compact(t)) != t");
      break;
    }
    case fuzz::kProofPresentationFile: {
      auto p = PresentationFromFileBytes(in);
      if (p.ok()) CheckPresentation(*p);
      auto b64 = Base64Decode(text);
      if (b64.ok()) {
        auto again = Base64Decode(Base64Encode(*b64));
        FUZZ_CHECK(again.ok() && *again == *b64, "Base64: Decode(Encode(x)) != x");
      }
      break;
    }
  }
  return 0;
}
