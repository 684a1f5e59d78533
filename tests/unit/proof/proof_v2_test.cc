// Proof bundles v2 (record + status evidence at one certified header):
// VALID end to end, every single-byte change fails (cold and with a warm
// certificate cache), every reason code a v2 bundle can produce, the
// certificate cache, and v1 still verifying beside v2.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <random>

#include "core/encoding.h"
#include "fixture.h"
#include "proof/record_codec.h"

using namespace licenced;
using namespace licenced::proof;
using namespace licenced::proof::testing;

TEST_CASE("proof v2: export, present and verify is VALID, and v1 still is", "[proof][v2]") {
  Fixture fx;
  Bundle v1 = fx.ledger.Export(fx.bl);
  Bundle b = V2(v1);
  CHECK(b.format == kFormatV2);
  Verifier verifier(fx.ledger.genesis());
  Presentation p = fx.PresentBl(b);
  CHECK(p.format() == kFormatV2);
  Verdict v = verifier.Verify(p, fx.Opts());
  Expect(v, Outcome::kValid, Reason::kNone);
  CHECK(v.licence_id == fx.bl);
  CHECK(v.issuer_org == "market");
  CHECK(v.issuer_kind == "clerk");
  CHECK(v.status == "valid");
  CHECK(v.status_height == fx.ledger.height());
  REQUIRE(v.disclosed.size() == 2);
  CHECK(v.disclosed[1].first == "legal_rep_name");
  Bytes enc = p.Encode();
  Expect(verifier.VerifyEncoded(enc, fx.Opts()), Outcome::kValid, Reason::kNone);
  Expect(verifier.VerifyBundle(b, fx.Opts()), Outcome::kValid, Reason::kNone);
  // Canonical round trips: bytes, structs and the JSON files.
  auto back = Bundle::Decode(b.Encode());
  REQUIRE(back.ok());
  CHECK(*back == b);
  auto pb = Presentation::Decode(enc);
  REQUIRE(pb.ok());
  CHECK(*pb == p);
  CHECK(pb->Encode() == enc);
  auto bj = BundleFromJson(BundleToJson(b));
  REQUIRE(bj.ok());
  CHECK(*bj == b);
  CHECK_THAT(BundleToJson(b), Catch::Contains("licenced-proof-bundle/v2"));
  auto pj = PresentationFromJson(PresentationToJson(p));
  REQUIRE(pj.ok());
  CHECK(*pj == p);
  // A file whose "format" names the other version is refused.
  std::string lying = BundleToJson(b);
  lying.replace(lying.find("bundle/v2"), 9, "bundle/v1");
  CHECK_FALSE(BundleFromJson(lying).ok());
  // The record travels compactly but is the exact stored bytes.
  CHECK(b.record == fx.ledger.Record(fx.bl));
  // v1 beside it.
  Expect(verifier.Verify(fx.PresentBl(v1), fx.Opts()), Outcome::kValid, Reason::kNone);
  // A v1 bundle in a v2 presentation (or the reverse) cannot be built on the wire.
  Bytes v1p = fx.PresentBl(v1).Encode();
  Bytes mixed = v1p;
  std::string m1(kPresentationMagic), m2(kPresentationMagicV2);
  std::copy(m2.begin(), m2.end(), mixed.begin() + 4);
  CHECK_FALSE(Presentation::Decode(mixed).ok());
  // The licence issued directly by an org admin key's licensing clerk, no disclosures.
  Bundle d = V2(fx.ledger.ExportAt(fx.direct, fx.ledger.height()));
  auto pd = Present(d, {}, "c2", fx.ledger.now(), fx.other_holder);
  REQUIRE(pd.ok());
  Expect(verifier.Verify(*pd, fx.Opts("c2")), Outcome::kValid, Reason::kNone);

  Bytes benc = b.Encode();
  Bytes record_compact = *CompactRecord(b.record);
  std::printf(
      "{\"proof_sizes_v2\": {\"bundle\": %zu, \"presentation\": %zu, \"record_json\": %zu, "
      "\"record_compact\": %zu, \"certificate\": %zu, \"state_proof\": %zu, \"status_value\": %zu, "
      "\"presentation_json\": %zu, \"v1_bundle\": %zu, \"v1_presentation\": %zu}}\n",
      benc.size(), enc.size(), b.record.size(), record_compact.size(),
      8 + 2 + b.status->certificate.signatures.size() * 66, b.status->proof.Encode().size() - 65,
      b.status->value.size(), PresentationToJson(p).size(), v1.Encode().size(), v1p.size());
}

TEST_CASE("proof v2: changing any single byte of a presentation or a bundle fails", "[proof][v2]") {
  Fixture fx;
  Bundle b = V2(fx.ledger.Export(fx.bl));
  Presentation p = fx.PresentBl(b);
  Verifier verifier(fx.ledger.genesis());
  std::mt19937 rng(11);
  auto sweep = [&](const Bytes& good, bool presentation, CertificateCache* cache) {
    VerifyOptions o = fx.Opts();
    o.cache = cache;
    Verdict first =
        presentation ? verifier.VerifyEncoded(good, o) : verifier.VerifyBundleEncoded(good, o);
    Expect(first, Outcome::kValid, Reason::kNone);
    std::string label = std::string("v2 ") + (presentation ? "presentation" : "bundle") +
                        (cache ? ", warm cache" : ", no cache");
    ExpectNoMutantVerifies(good, rng, label, [&](const Bytes& bad) {
      return presentation ? verifier.VerifyEncoded(bad, o) : verifier.VerifyBundleEncoded(bad, o);
    });
  };
  sweep(p.Encode(), true, nullptr);
  sweep(b.Encode(), false, nullptr);
  // With a warm cache the certificate's signatures are not checked again, yet
  // a changed byte anywhere still misses the cache or fails elsewhere.
  CertificateCache cache;
  sweep(p.Encode(), true, &cache);
  sweep(b.Encode(), false, &cache);
  CHECK(cache.hits() > 0);
  // Truncations and an appended byte.
  Bytes enc = p.Encode();
  for (size_t n = 0; n < enc.size(); n += 5) {
    Bytes t(enc.begin(), enc.begin() + n);
    CHECK(verifier.VerifyEncoded(t, fx.Opts()).reason == Reason::kBadEncoding);
  }
  enc.push_back(0);
  CHECK(verifier.VerifyEncoded(enc, fx.Opts()).reason == Reason::kBadEncoding);
}

TEST_CASE("proof v2: every reason code a v2 bundle can give", "[proof][v2]") {
  Fixture fx;
  Bundle good = V2(fx.ledger.Export(fx.bl));
  Verifier verifier(fx.ledger.genesis());
  auto verify = [&](const Bundle& b) { return verifier.Verify(fx.PresentBl(b), fx.Opts()); };
  Expect(verify(good), Outcome::kValid, Reason::kNone);

  // BAD_ENCODING: no status evidence (it authenticates the record); a record
  // that is not JSON; an unknown format.
  Bundle b = good;
  b.status.reset();
  Expect(verify(b), Outcome::kInvalid, Reason::kBadEncoding);
  b = good;
  b.record = ToBytes("not json");
  Expect(verify(b), Outcome::kInvalid, Reason::kBadEncoding);
  b = good;
  b.format = 3;
  Expect(verifier.VerifyBundle(b, fx.Opts()), Outcome::kInvalid, Reason::kBadEncoding);

  // RECORD_MISMATCH: the bundle claims another licence id than its record.
  b = good;
  b.licence_id = fx.direct;
  Expect(verifier.VerifyBundle(b, fx.Opts()), Outcome::kInvalid, Reason::kRecordMismatch);

  // ISSUER_NOT_ENTITLED: genesis does not let market issue BL; or the record
  // names an admin key of another org as issuer.
  Genesis g = fx.ledger.genesis();
  for (auto& t : g.licence_types) {
    if (t.code == "BL") t.issuer_orgs = {"police"};
  }
  Expect(Verifier(g).Verify(fx.PresentBl(good), fx.Opts()), Outcome::kInvalid,
         Reason::kIssuerNotEntitled);
  Genesis g2 = fx.ledger.genesis();
  json rec = json::parse(ToString(good.record));
  for (auto& o : g2.organisations) {
    if (o.id == "police") {
      auto k = FromHex(rec["issued_by"].get<std::string>());
      crypto::PublicKey pk;
      std::copy(k->begin(), k->end(), pk.begin());
      o.admin_keys.push_back(pk);
    }
  }
  Expect(Verifier(g2).Verify(fx.PresentBl(good), fx.Opts()), Outcome::kInvalid,
         Reason::kIssuerNotEntitled);

  // BAD_HEADER: a certificate of another block (only possible in memory: the
  // wire form takes height and block hash from the header).
  b = good;
  b.status->certificate = TrimCertificate(fx.ledger.Cert(1), fx.ledger.Quorum());
  Expect(verifier.VerifyBundle(b, fx.Opts()), Outcome::kInvalid, Reason::kBadHeader);

  // BAD_CERTIFICATE: below quorum, a duplicate signer, a stranger, an unknown id.
  const size_t q = fx.ledger.Quorum();
  auto cert_case = [&](const std::function<void(consensus::CommitCertificate&)>& mutate) {
    Bundle x = good;
    mutate(x.status->certificate);
    auto rt = Bundle::Decode(x.Encode());  // through the wire form when it can carry it
    Expect(verifier.Verify(fx.PresentBl(rt.ok() ? *rt : x), fx.Opts()), Outcome::kInvalid,
           Reason::kBadCertificate);
  };
  cert_case([&](auto& c) { c.signatures.resize(q - 1); });
  cert_case([&](auto& c) { c.signatures[1].second = c.signatures[0].second; });
  cert_case([&](auto& c) {
    crypto::KeyPair stranger = crypto::KeyPair::FromSeed(DevSeed("validator", "stranger"));
    c.signatures[0].second = stranger.Sign(
        consensus::kCommitTag, consensus::CommitVoteBody(c.view, c.height, c.block_hash));
  });
  cert_case([&](auto& c) { c.signatures.back().first = 99; });
  cert_case([&](auto& c) { c.view += 1; });

  // BAD_STATUS_PROOF: another licence's status evidence.
  b = good;
  b.status = fx.ledger.ProveStatus(fx.direct, good.status->header.height);
  Expect(verify(b), Outcome::kInvalid, Reason::kBadStatusProof);

  // STATUS_MISMATCH: the record differs from the one the status entry commits
  // to (a shown-only field changed), or the header is not after issuance.
  b = good;
  rec = json::parse(ToString(good.record));
  rec["issuer_name"] = "Another Bureau";
  b.record = ToBytes(rec.dump());
  Expect(verify(b), Outcome::kInvalid, Reason::kStatusMismatch);
  b = good;
  b.status->header = fx.ledger.Header(rec["issued_height"].get<uint64_t>());
  Expect(verify(b), Outcome::kInvalid, Reason::kStatusMismatch);

  // CHALLENGE_MISMATCH, BAD_HOLDER_SIGNATURE, DISCLOSURE_MISMATCH.
  Presentation p = fx.PresentBl(good, "nonce-1");
  Expect(verifier.Verify(p, fx.Opts("nonce-2")), Outcome::kInvalid, Reason::kChallengeMismatch);
  auto thief = Present(good, {}, "nonce-1", 0, fx.other_holder);
  REQUIRE(thief.ok());
  Expect(verifier.Verify(*thief, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kBadHolderSignature);
  // A v2 presentation signed under the v1 tag does not verify either.
  Presentation wrong_tag = p;
  wrong_tag.signature = fx.holder.Sign(kPresentationTag, p.SigningBody());
  Expect(verifier.Verify(wrong_tag, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kBadHolderSignature);
  auto ds = fx.Disclose({"enterprise_name"});
  ds[0].value = "Some Other Co., Ltd.";
  auto wrong = Present(good, ds, "nonce-1", 0, fx.holder);
  REQUIRE(wrong.ok());
  Expect(verifier.Verify(*wrong, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kDisclosureMismatch);

  // LICENCE_NOT_YET_VALID: the verifier's clock before valid_from.
  VerifyOptions early = fx.Opts();
  early.now_ms = rec["valid_from_ms"].get<uint64_t>() - 1;
  Expect(verifier.Verify(fx.PresentBl(good), early), Outcome::kInvalid,
         Reason::kLicenceNotYetValid);

  // STALE_STATUS.
  VerifyOptions old = fx.Opts();
  old.now_ms += 3'600'000;
  old.max_age_ms = 600'000;
  Expect(verifier.Verify(fx.PresentBl(good), old), Outcome::kStatusUnknown, Reason::kStaleStatus);
}

TEST_CASE("proof v2: suspended, revoked, cancelled and expired, and a fresh status",
          "[proof][v2]") {
  Fixture fx;
  Verifier verifier(fx.ledger.genesis());
  auto present = [&](Bundle b) {
    auto p = Present(std::move(b), {}, "c", fx.ledger.now(), fx.other_holder);
    REQUIRE(p.ok());
    return *p;
  };
  Bundle before = V2(fx.ledger.Export(fx.direct));
  Expect(verifier.Verify(present(before), fx.Opts("c")), Outcome::kValid, Reason::kNone);
  fx.ledger.Ok(fx.licensing, "licence", "suspend",
               {{"identifier", fx.direct}, {"reason", "audit"}});
  Bundle suspended = V2(fx.ledger.Export(fx.direct));
  Expect(verifier.Verify(present(suspended), fx.Opts("c")), Outcome::kInvalid,
         Reason::kLicenceSuspended);
  // The old v2 proof with a fresh status fetched by the verifier.
  VerifyOptions fresh = fx.Opts("c");
  fresh.fresh_status = suspended.status;
  Expect(verifier.Verify(present(before), fresh), Outcome::kInvalid, Reason::kLicenceSuspended);
  fresh.fresh_status = fx.ledger.ProveStatus(fx.bl, fx.ledger.height());
  Expect(verifier.Verify(present(before), fresh), Outcome::kInvalid, Reason::kBadStatusProof);
  fx.ledger.Ok(fx.licensing, "licence", "restore", {{"identifier", fx.direct}});
  fx.ledger.Ok(fx.licensing, "licence", "revoke", {{"identifier", fx.direct}, {"reason", "fraud"}});
  Verdict r = verifier.Verify(present(V2(fx.ledger.Export(fx.direct))), fx.Opts("c"));
  Expect(r, Outcome::kInvalid, Reason::kLicenceRevoked);
  CHECK_THAT(r.detail, Catch::Contains("fraud"));
  fx.ledger.Ok(fx.licensing, "licence", "renew", {{"identifier", fx.bl}});
  Expect(verifier.Verify(fx.PresentBl(V2(fx.ledger.Export(fx.bl))), fx.Opts()), Outcome::kInvalid,
         Reason::kLicenceCancelled);

  DevNetwork net = MakeDevNetwork();
  for (auto& t : net.genesis.licence_types) {
    if (t.code == "BL") t.validity_days = 1;
  }
  TestLedger ledger(std::move(net));
  crypto::KeyPair holder = crypto::KeyPair::FromSeed(DevSeed("holder", "x"));
  std::string id = ledger.Ok(
      ledger.net().admin_keys.at("market"), "licence", "issue",
      {{"type", "BL"},
       {"holder_key", ToHex(holder.public_key())},
       {"holder_code_type", "none"},
       {"jurisdiction", "370102"},
       {"fields",
        {{"trade_name", {{"value", "x"}, {"salt", ToHex(Bytes(16, 1))}}}}}})["identifier"];
  auto p = Present(V2(ledger.Export(id)), {}, "c", ledger.now(), holder);
  REQUIRE(p.ok());
  Verifier v2(ledger.genesis());
  VerifyOptions o;
  o.challenge = "c";
  o.now_ms = ledger.now();
  Verdict ok = v2.Verify(*p, o);
  Expect(ok, Outcome::kValid, Reason::kNone);
  CHECK(ok.issuer_kind == "org_admin");
  o.now_ms += 2 * 86'400'000ULL;
  Expect(v2.Verify(*p, o), Outcome::kInvalid, Reason::kLicenceExpired);
}

TEST_CASE("proof v2: certificate cache skips only byte-identical certified headers",
          "[proof][v2]") {
  Fixture fx;
  Bundle b = V2(fx.ledger.Export(fx.bl));
  Verifier verifier(fx.ledger.genesis());
  CertificateCache cache(2);
  VerifyOptions o = fx.Opts();
  o.cache = &cache;
  Expect(verifier.Verify(fx.PresentBl(b), o), Outcome::kValid, Reason::kNone);
  CHECK(cache.size() == 1);
  CHECK(cache.misses() == 1);
  Expect(verifier.Verify(fx.PresentBl(b), o), Outcome::kValid, Reason::kNone);
  CHECK(cache.hits() == 1);
  // The same header with a certificate missing a signature is checked in full.
  Bundle short_cert = b;
  short_cert.status->certificate.signatures.pop_back();
  Expect(verifier.Verify(fx.PresentBl(short_cert), o), Outcome::kInvalid, Reason::kBadCertificate);
  // A cache filled by another genesis's verifier vouches for nothing here.
  Genesis g = fx.ledger.genesis();
  std::swap(g.validators[0].public_key, g.validators[1].public_key);
  Expect(Verifier(g).Verify(fx.PresentBl(b), o), Outcome::kInvalid, Reason::kBadCertificate);
  // Bounded: capacity 2 (the oldest entry goes).
  fx.ledger.AddBlock({});
  fx.ledger.AddBlock({});
  Bundle d1 = V2(fx.ledger.ExportAt(fx.direct, fx.ledger.height()));
  Bundle d2 = V2(fx.ledger.ExportAt(fx.direct, fx.ledger.height() - 1));
  Expect(verifier.VerifyBundle(d1, o), Outcome::kValid, Reason::kNone);
  Expect(verifier.VerifyBundle(d2, o), Outcome::kValid, Reason::kNone);
  CHECK(cache.size() == 2);
}

TEST_CASE("proof v2: verification rate, cold and with a warm certificate cache",
          "[proof][v2][bench]") {
  Fixture fx;
  Bundle v1 = fx.ledger.Export(fx.bl);
  Bytes enc1 = fx.PresentBl(v1).Encode();
  Bytes enc2 = fx.PresentBl(V2(v1)).Encode();
  Verifier verifier(fx.ledger.genesis());
  CertificateCache cache;
  auto rate = [&](const Bytes& enc, CertificateCache* c) {
    VerifyOptions o = fx.Opts();
    o.cache = c;
    const int kRounds = 300;
    int ok = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) ok += verifier.VerifyEncoded(enc, o).valid() ? 1 : 0;
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(ok == kRounds);
    return kRounds / s;
  };
  double r1 = rate(enc1, nullptr), r2 = rate(enc2, nullptr), r2w = rate(enc2, &cache);
  std::printf(
      "{\"proof_verify_rate\": {\"v1_cold\": %.0f, \"v2_cold\": %.0f, \"v2_warm_cache\": %.0f, "
      "\"v1_presentation_bytes\": %zu, \"v2_presentation_bytes\": %zu}}\n",
      r1, r2, r2w, enc1.size(), enc2.size());
}

TEST_CASE("proof v2: raw record form only for records without a compact form", "[proof][v2]") {
  Fixture fx;
  Bundle good = V2(fx.ledger.Export(fx.bl));
  const size_t magic = 4 + kBundleMagicV2.size();
  Bytes g = good.Encode();
  REQUIRE(g[magic] == 1);  // compact
  // A record with a floating-point value has no compact form: it travels raw,
  // round-trips, and (not being the committed record) fails STATUS_MISMATCH.
  Bundle fl = good;
  json rec = json::parse(ToString(good.record));
  rec["public_fields"]["ratio"] = 0.5;
  fl.record = ToBytes(rec.dump());
  Bytes f = fl.Encode();
  CHECK(f[magic] == 0);
  auto back = Bundle::Decode(f);
  REQUIRE(back.ok());
  CHECK(back->record == fl.record);
  CHECK(back->Encode() == f);
  Verifier verifier(fx.ledger.genesis());
  Expect(verifier.VerifyBundleEncoded(f, fx.Opts()), Outcome::kInvalid, Reason::kStatusMismatch);
  // The raw form of a record that has a compact form is not canonical.
  auto compact = CompactRecord(good.record);
  REQUIRE(compact.ok());
  Writer w;
  w.Str(kBundleMagicV2).U8(0).Var(good.record);
  Bytes raw = w.Take();
  raw.insert(raw.end(), g.begin() + static_cast<std::ptrdiff_t>(magic + 1 + 4 + compact->size()),
             g.end());
  CHECK_FALSE(Bundle::Decode(raw).ok());
  // ... while the same bytes with the compact form decode to the same bundle.
  auto ok = Bundle::Decode(g);
  REQUIRE(ok.ok());
  CHECK(*ok == good);
}
