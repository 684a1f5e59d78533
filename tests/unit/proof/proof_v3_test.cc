// Proof bundles v3 (record + status in the state after block H, under H's
// state certificate): VALID end to end right after the block that changed the
// licence, every single-byte change fails (cold and with a warm certificate
// cache), every reason code a v3 bundle can produce, and v1/v2 still verifying.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>

#include "core/encoding.h"
#include "fixture.h"
#include "proof/record_codec.h"

using namespace licenced;
using namespace licenced::proof;
using namespace licenced::proof::testing;

TEST_CASE("proof v3: export, present and verify is VALID, and v1 and v2 still are", "[proof][v3]") {
  Fixture fx;
  // The fixture's last block issued the direct licence; the business
  // licence's state is certified at the head without any further block.
  Bundle b = fx.ledger.ExportV3(fx.bl);
  CHECK(b.format == kFormatV3);
  Verifier verifier(fx.ledger.genesis());
  Presentation p = fx.PresentBl(b);
  CHECK(p.format() == kFormatV3);
  CHECK(p.SigningTag() == kPresentationTagV3);
  Verdict v = verifier.Verify(p, fx.Opts());
  Expect(v, Outcome::kValid, Reason::kNone);
  CHECK(v.licence_id == fx.bl);
  CHECK(v.issuer_kind == "clerk");
  CHECK(v.status_height == fx.ledger.height());
  REQUIRE(v.disclosed.size() == 2);
  Bytes enc = p.Encode();
  Expect(verifier.VerifyEncoded(enc, fx.Opts()), Outcome::kValid, Reason::kNone);
  Expect(verifier.VerifyBundle(b, fx.Opts()), Outcome::kValid, Reason::kNone);
  // Canonical round trips: bytes, structs and the JSON files.
  auto back = Bundle::Decode(b.Encode());
  REQUIRE(back.ok());
  CHECK(*back == b);
  CHECK(back->Encode() == b.Encode());
  auto pb = Presentation::Decode(enc);
  REQUIRE(pb.ok());
  CHECK(*pb == p);
  auto bj = BundleFromJson(BundleToJson(b));
  REQUIRE(bj.ok());
  CHECK(*bj == b);
  CHECK_THAT(BundleToJson(b), Catch::Contains("licenced-proof-bundle/v3"));
  auto pj = PresentationFromJson(PresentationToJson(p));
  REQUIRE(pj.ok());
  CHECK(*pj == p);
  CHECK_THAT(PresentationToJson(p), Catch::Contains("licenced-presentation/v3"));
  std::string lying = BundleToJson(b);
  lying.replace(lying.find("bundle/v3"), 9, "bundle/v2");
  CHECK_FALSE(BundleFromJson(lying).ok());
  // A v3 bundle in a v2 presentation cannot be decoded.
  Bytes mixed = enc;
  std::string m2(kPresentationMagicV2);
  std::copy(m2.begin(), m2.end(), mixed.begin() + 4);
  CHECK_FALSE(Presentation::Decode(mixed).ok());

  // The direct licence, issued in the newest block: provable in the state
  // after that very block (a v2 proof needs W more blocks).
  const uint64_t issued = fx.ledger.height();
  Bundle d = fx.ledger.ExportV3(fx.direct);
  CHECK(d.status->header.height == issued);
  auto pd = Present(d, {}, "c2", fx.ledger.now(), fx.other_holder);
  REQUIRE(pd.ok());
  Expect(verifier.Verify(*pd, fx.Opts("c2")), Outcome::kValid, Reason::kNone);

  // v1 and v2 bundles of the same ledger beside it.
  Bundle v1 = fx.ledger.Export(fx.bl);
  Expect(verifier.Verify(fx.PresentBl(v1), fx.Opts()), Outcome::kValid, Reason::kNone);
  Expect(verifier.Verify(fx.PresentBl(V2(v1)), fx.Opts()), Outcome::kValid, Reason::kNone);

  Bytes benc = b.Encode();
  std::printf(
      "{\"proof_sizes_v3\": {\"bundle\": %zu, \"presentation\": %zu, \"state_certificate\": %zu, "
      "\"v2_bundle\": %zu}}\n",
      benc.size(), enc.size(), 32 + 2 + b.status->state->signatures.size() * 66,
      V2(v1).Encode().size());
}

TEST_CASE("proof v3: a revocation is proven REVOKED by the very next certified state",
          "[proof][v3]") {
  Fixture fx;
  Verifier verifier(fx.ledger.genesis());
  auto present = [&](Bundle b) {
    auto p = Present(std::move(b), {}, "c", fx.ledger.now(), fx.other_holder);
    REQUIRE(p.ok());
    return *p;
  };
  Bundle before = fx.ledger.ExportV3(fx.direct);
  Expect(verifier.Verify(present(before), fx.Opts("c")), Outcome::kValid, Reason::kNone);
  fx.ledger.Ok(fx.licensing, "licence", "revoke", {{"identifier", fx.direct}, {"reason", "fraud"}});
  // No further block: the revoking block's own state certificate proves it.
  Bundle after = fx.ledger.ExportV3(fx.direct);
  Verdict r = verifier.Verify(present(after), fx.Opts("c"));
  Expect(r, Outcome::kInvalid, Reason::kLicenceRevoked);
  CHECK_THAT(r.detail, Catch::Contains("fraud"));
  // The state the revoking block's header carries still shows it valid: the
  // v2 evidence of that block cannot show the revocation yet.
  Bundle v2_at_head = V2(fx.ledger.ExportAt(fx.direct, fx.ledger.height()));
  Expect(verifier.Verify(present(v2_at_head), fx.Opts("c")), Outcome::kValid, Reason::kNone);
  // A verifier's fresh v3 evidence overrides an old v3 or v2 bundle.
  VerifyOptions fresh = fx.Opts("c");
  fresh.fresh_status = after.status;
  Expect(verifier.Verify(present(before), fresh), Outcome::kInvalid, Reason::kLicenceRevoked);
  Expect(verifier.Verify(present(v2_at_head), fresh), Outcome::kInvalid, Reason::kLicenceRevoked);
  // Fresh evidence of another licence's status does not prove this one's.
  fresh.fresh_status = fx.ledger.ProveCertifiedStatus(fx.bl, fx.ledger.height());
  Expect(verifier.Verify(present(before), fresh), Outcome::kInvalid, Reason::kBadStatusProof);
}

TEST_CASE("proof v3: changing any single byte of a presentation or a bundle fails", "[proof][v3]") {
  Fixture fx;
  Bundle b = fx.ledger.ExportV3(fx.bl);
  Presentation p = fx.PresentBl(b);
  Verifier verifier(fx.ledger.genesis());
  std::mt19937 rng(13);
  auto sweep = [&](const Bytes& good, bool presentation, CertificateCache* cache) {
    VerifyOptions o = fx.Opts();
    o.cache = cache;
    Verdict first =
        presentation ? verifier.VerifyEncoded(good, o) : verifier.VerifyBundleEncoded(good, o);
    Expect(first, Outcome::kValid, Reason::kNone);
    std::string label = std::string("v3 ") + (presentation ? "presentation" : "bundle") +
                        (cache ? ", warm cache" : ", no cache");
    ExpectNoMutantVerifies(good, rng, label, [&](const Bytes& bad) {
      return presentation ? verifier.VerifyEncoded(bad, o) : verifier.VerifyBundleEncoded(bad, o);
    });
  };
  sweep(p.Encode(), true, nullptr);
  sweep(b.Encode(), false, nullptr);
  CertificateCache cache;
  sweep(p.Encode(), true, &cache);
  sweep(b.Encode(), false, &cache);
  CHECK(cache.hits() > 0);
  Bytes enc = p.Encode();
  for (size_t n = 0; n < enc.size(); n += 5) {
    Bytes t(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(verifier.VerifyEncoded(t, fx.Opts()).reason == Reason::kBadEncoding);
  }
  enc.push_back(0);
  CHECK(verifier.VerifyEncoded(enc, fx.Opts()).reason == Reason::kBadEncoding);
}

TEST_CASE("proof v3: every reason code a v3 bundle can give", "[proof][v3]") {
  Fixture fx;
  fx.ledger.AddBlock({});
  Bundle good = fx.ledger.ExportV3(fx.bl);
  Verifier verifier(fx.ledger.genesis());
  auto verify = [&](const Bundle& b) { return verifier.Verify(fx.PresentBl(b), fx.Opts()); };
  Expect(verify(good), Outcome::kValid, Reason::kNone);

  // BAD_ENCODING: no status evidence; a v3 bundle whose status lacks its state
  // certificate, or a v2 bundle carrying one (in memory only); a bad record.
  Bundle b = good;
  b.status.reset();
  Expect(verify(b), Outcome::kInvalid, Reason::kBadEncoding);
  b = good;
  b.status->state.reset();
  Expect(verifier.VerifyBundle(b, fx.Opts()), Outcome::kInvalid, Reason::kBadEncoding);
  b = good;
  b.format = kFormatV2;
  Expect(verifier.VerifyBundle(b, fx.Opts()), Outcome::kInvalid, Reason::kBadEncoding);
  b = good;
  b.record = ToBytes("not json");
  Expect(verify(b), Outcome::kInvalid, Reason::kBadEncoding);
  CHECK_FALSE(ToV3(V2(fx.ledger.Export(fx.bl))).ok());  // no state certificate to carry

  // RECORD_MISMATCH.
  b = good;
  b.licence_id = fx.direct;
  Expect(verifier.VerifyBundle(b, fx.Opts()), Outcome::kInvalid, Reason::kRecordMismatch);

  // ISSUER_NOT_ENTITLED.
  Genesis g = fx.ledger.genesis();
  for (auto& t : g.licence_types) {
    if (t.code == "BL") t.issuer_orgs = {"police"};
  }
  Expect(Verifier(g).Verify(fx.PresentBl(good), fx.Opts()), Outcome::kInvalid,
         Reason::kIssuerNotEntitled);

  // BAD_CERTIFICATE: below quorum, a duplicate signer, a stranger's vote, an
  // unknown id, a vote for another root (the root changed), a commit vote
  // where a state vote belongs (another tag), the state of another block.
  const size_t q = fx.ledger.Quorum();
  auto cert_case = [&](const std::function<void(StateVotes&)>& mutate) {
    Bundle x = good;
    mutate(*x.status->state);
    auto rt = Bundle::Decode(x.Encode());  // through the wire form when it can carry it
    Expect(verifier.Verify(fx.PresentBl(rt.ok() ? *rt : x), fx.Opts()), Outcome::kInvalid,
           Reason::kBadCertificate);
  };
  const uint64_t h = good.status->header.height;
  const Hash hash = good.status->header.ComputeHash();
  cert_case([&](auto& c) { c.signatures.resize(q - 1); });
  cert_case([&](auto& c) { c.signatures[1] = c.signatures[0]; });
  cert_case([&](auto& c) {
    crypto::KeyPair stranger = crypto::KeyPair::FromSeed(DevSeed("validator", "stranger"));
    c.signatures[0].second =
        stranger.Sign(consensus::TagFor(consensus::MsgType::kCheckpoint),
                      consensus::CheckpointMsg{h, hash, c.state_root}.Encode());
  });
  cert_case([&](auto& c) { c.signatures.back().first = 99; });
  cert_case([&](auto& c) { c.state_root[0] ^= 1; });
  cert_case([&](auto& c) {
    c.signatures[0].second = fx.ledger.net().validator_keys[0].Sign(
        consensus::kCommitTag, consensus::CheckpointMsg{h, hash, c.state_root}.Encode());
  });
  b = good;
  b.status->state = fx.ledger.StateCertificate(h - 1);
  Expect(verify(b), Outcome::kInvalid, Reason::kBadCertificate);

  // BAD_STATUS_PROOF: another licence's status evidence under this state.
  b = good;
  b.status = fx.ledger.ProveCertifiedStatus(fx.direct, h);
  Expect(verify(b), Outcome::kInvalid, Reason::kBadStatusProof);

  // STATUS_MISMATCH: another record than the status entry commits to; a state
  // before the issuing block (the state after it is the first that holds it).
  b = good;
  json rec = json::parse(ToString(good.record));
  rec["issuer_name"] = "Another Bureau";
  b.record = ToBytes(rec.dump());
  Expect(verify(b), Outcome::kInvalid, Reason::kStatusMismatch);
  const uint64_t issued = rec["issued_height"].get<uint64_t>();
  b = good;
  b.status->header = fx.ledger.Header(issued - 1);
  b.status->state = fx.ledger.StateCertificate(issued - 1);
  Expect(verify(b), Outcome::kInvalid, Reason::kStatusMismatch);
  // ... while the issuing block's own state is enough.
  b = good;
  b.status = fx.ledger.ProveCertifiedStatus(fx.bl, issued);
  Expect(verify(b), Outcome::kValid, Reason::kNone);

  // CHALLENGE_MISMATCH, BAD_HOLDER_SIGNATURE (also under the v2 tag), DISCLOSURE_MISMATCH.
  Presentation p = fx.PresentBl(good, "nonce-1");
  Expect(verifier.Verify(p, fx.Opts("nonce-2")), Outcome::kInvalid, Reason::kChallengeMismatch);
  auto thief = Present(good, {}, "nonce-1", 0, fx.other_holder);
  REQUIRE(thief.ok());
  Expect(verifier.Verify(*thief, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kBadHolderSignature);
  Presentation wrong_tag = p;
  wrong_tag.signature = fx.holder.Sign(kPresentationTagV2, p.SigningBody());
  Expect(verifier.Verify(wrong_tag, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kBadHolderSignature);
  auto ds = fx.Disclose({"enterprise_name"});
  ds[0].value = "Some Other Co., Ltd.";
  auto wrong = Present(good, ds, "nonce-1", 0, fx.holder);
  REQUIRE(wrong.ok());
  Expect(verifier.Verify(*wrong, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kDisclosureMismatch);

  // LICENCE_NOT_YET_VALID and STALE_STATUS.
  VerifyOptions early = fx.Opts();
  early.now_ms = rec["valid_from_ms"].get<uint64_t>() - 1;
  Expect(verifier.Verify(fx.PresentBl(good), early), Outcome::kInvalid,
         Reason::kLicenceNotYetValid);
  VerifyOptions old = fx.Opts();
  old.now_ms += 3'600'000;
  old.max_age_ms = 600'000;
  Expect(verifier.Verify(fx.PresentBl(good), old), Outcome::kStatusUnknown, Reason::kStaleStatus);

  // LICENCE_SUSPENDED and LICENCE_CANCELLED, at once.
  fx.ledger.Ok(fx.licensing, "licence", "suspend",
               {{"identifier", fx.direct}, {"reason", "audit"}});
  auto pd = Present(fx.ledger.ExportV3(fx.direct), {}, "c", fx.ledger.now(), fx.other_holder);
  REQUIRE(pd.ok());
  Expect(verifier.Verify(*pd, fx.Opts("c")), Outcome::kInvalid, Reason::kLicenceSuspended);
  fx.ledger.Ok(fx.licensing, "licence", "renew", {{"identifier", fx.bl}});
  Expect(verifier.Verify(fx.PresentBl(fx.ledger.ExportV3(fx.bl)), fx.Opts()), Outcome::kInvalid,
         Reason::kLicenceCancelled);
}

TEST_CASE("proof v3: state votes from a node's certificate, sorted and trimmed", "[proof][v3]") {
  Fixture fx;
  const uint64_t h = fx.ledger.height();
  const consensus::BlockHeader& header = fx.ledger.Header(h);
  StateVotes votes = fx.ledger.StateCertificate(h);
  consensus::CheckpointProof cp;
  cp.checkpoint = {h, header.ComputeHash(), votes.state_root};
  // As a node stores it: signed messages in arrival order.
  for (auto it = votes.signatures.rbegin(); it != votes.signatures.rend(); ++it) {
    consensus::SignedMessage m;
    m.type = consensus::MsgType::kCheckpoint;
    m.sender = it->first;
    m.body = cp.checkpoint.Encode();
    m.signature = it->second;
    cp.messages.push_back(m);
  }
  auto got = StateVotesFor(cp, header);
  REQUIRE(got.ok());
  CHECK(*got == votes);
  CHECK(TrimStateVotes(*got, 2).signatures.size() == 2);
  CHECK(TrimStateVotes(*got, 2).signatures[1].first == votes.signatures[1].first);
  // A certificate of another block, or holding a vote for another state, is refused.
  CHECK_FALSE(StateVotesFor(cp, fx.ledger.Header(h - 1)).ok());
  cp.messages[0].body[0] ^= 1;
  CHECK_FALSE(StateVotesFor(cp, header).ok());
}
