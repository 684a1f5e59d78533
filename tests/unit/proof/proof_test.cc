// Proof bundles and presentations end to end over a real in-process ledger:
// export, present, verify VALID; every single-byte change fails; each reason
// code on its own path; STATUS_UNKNOWN paths; sizes and verification rate printed.
#include <catch2/catch.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "fixture.h"

using namespace licenced;
using namespace licenced::proof;
using namespace licenced::proof::testing;

TEST_CASE("proof: export, present and verify a flow-issued licence is VALID", "[proof]") {
  Fixture fx;
  Bundle b = fx.ledger.Export(fx.bl);
  Presentation p = fx.PresentBl(b);
  Verifier verifier(fx.ledger.genesis());
  Verdict v = verifier.Verify(p, fx.Opts());
  Expect(v, Outcome::kValid, Reason::kNone);
  CHECK(v.licence_id == fx.bl);
  CHECK(v.issuer_org == "market");
  CHECK(v.type_code == "BL");
  CHECK(v.issuer_kind == "clerk");
  CHECK(v.status == "valid");
  CHECK(v.status_height == fx.ledger.height());
  CHECK(v.status_age_ms == 0);
  REQUIRE(v.disclosed.size() == 2);
  CHECK(v.disclosed[0].first == "enterprise_name");
  CHECK(v.disclosed[0].second == "Jinan Quanyong Software Co., Ltd.");
  // The same through the encodings and the JSON files.
  Bytes enc = p.Encode();
  Expect(verifier.VerifyEncoded(enc, fx.Opts()), Outcome::kValid, Reason::kNone);
  auto back = PresentationFromJson(PresentationToJson(p));
  REQUIRE(back.ok());
  CHECK(*back == p);
  auto bb = BundleFromJson(BundleToJson(b));
  REQUIRE(bb.ok());
  CHECK(*bb == b);
  Expect(verifier.VerifyBundle(b, fx.Opts()), Outcome::kValid, Reason::kNone);
  // Sizes (figures, not assertions).
  size_t cert_bytes = b.issuance.certificate.Encode().size();
  std::printf(
      "{\"proof_sizes\": {\"bundle\": %zu, \"presentation\": %zu, \"record\": %zu, "
      "\"issuing_tx\": %zu, \"audit_path\": %zu, \"certificate\": %zu, \"state_proof\": %zu, "
      "\"status_value\": %zu, \"presentation_json\": %zu}}\n",
      b.Encode().size(), enc.size(), b.record.size(), b.issuance.tx.size(),
      b.issuance.path.size() * 32, cert_bytes, b.status->proof.Encode().size(),
      b.status->value.size(), PresentationToJson(p).size());
  // A directly issued licence too, by an org's licensing clerk, no disclosures.
  Bundle d = fx.ledger.ExportAt(fx.direct, fx.ledger.height());
  auto pd = Present(d, {}, "c2", fx.ledger.now(), fx.other_holder);
  REQUIRE(pd.ok());
  Expect(verifier.Verify(*pd, fx.Opts("c2")), Outcome::kValid, Reason::kNone);
}

TEST_CASE("proof: changing any single byte of a presentation or a bundle fails", "[proof]") {
  Fixture fx;
  Bundle b = fx.ledger.Export(fx.bl);
  Presentation p = fx.PresentBl(b);
  Verifier verifier(fx.ledger.genesis());
  std::mt19937 rng(7);
  auto sweep = [&](const Bytes& good, bool presentation) {
    ExpectNoMutantVerifies(good, rng, presentation ? "presentation" : "bundle",
                           [&](const Bytes& bad) {
                             return presentation ? verifier.VerifyEncoded(bad, fx.Opts())
                                                 : verifier.VerifyBundleEncoded(bad, fx.Opts());
                           });
  };
  Expect(verifier.VerifyEncoded(p.Encode(), fx.Opts()), Outcome::kValid, Reason::kNone);
  sweep(p.Encode(), true);
  sweep(b.Encode(), false);
  // Truncations and an appended byte.
  Bytes enc = p.Encode();
  for (size_t n = 0; n < enc.size(); n += 7) {
    Bytes t(enc.begin(), enc.begin() + n);
    CHECK(verifier.VerifyEncoded(t, fx.Opts()).reason == Reason::kBadEncoding);
  }
  enc.push_back(0);
  CHECK(verifier.VerifyEncoded(enc, fx.Opts()).reason == Reason::kBadEncoding);
}

TEST_CASE("proof: suspended, revoked, cancelled and expired licences fail with that reason",
          "[proof]") {
  Fixture fx;
  Verifier verifier(fx.ledger.genesis());
  Bundle before = fx.ledger.Export(fx.direct);
  uint64_t before_height = fx.ledger.height();
  auto present = [&](Bundle b) {
    auto p = Present(std::move(b), {}, "c", fx.ledger.now(), fx.other_holder);
    REQUIRE(p.ok());
    return *p;
  };
  auto opts = fx.Opts("c");
  Expect(verifier.Verify(present(before), opts), Outcome::kValid, Reason::kNone);

  fx.ledger.Ok(fx.licensing, "licence", "suspend",
               {{"identifier", fx.direct}, {"reason", "audit"}});
  Bundle suspended = fx.ledger.Export(fx.direct);
  Verdict v = verifier.Verify(present(suspended), fx.Opts("c"));
  Expect(v, Outcome::kInvalid, Reason::kLicenceSuspended);
  CHECK(v.status == "suspended");
  CHECK_THAT(v.detail, Catch::Contains("audit"));
  // The old proof still says what was true at its height, and shows its age.
  Verdict old = verifier.Verify(present(before), fx.Opts("c"));
  Expect(old, Outcome::kValid, Reason::kNone);
  CHECK(old.status_height == before_height);
  CHECK(*old.status_age_ms == fx.ledger.now() - fx.ledger.Header(before_height).timestamp_ms);
  // ... unless the verifier asks for a fresher one.
  VerifyOptions strict = fx.Opts("c");
  strict.max_age_ms = 30'000;
  Expect(verifier.Verify(present(before), strict), Outcome::kStatusUnknown, Reason::kStaleStatus);

  // A fresh status proof fetched by the verifier overrides the presented (older) one.
  VerifyOptions fresh = fx.Opts("c");
  fresh.fresh_status = suspended.status;
  Expect(verifier.Verify(present(before), fresh), Outcome::kInvalid, Reason::kLicenceSuspended);
  // ... and is checked like the bundle's own: another licence's status does not pass.
  fresh.fresh_status = fx.ledger.ProveStatus(fx.bl, fx.ledger.height());
  Expect(verifier.Verify(present(before), fresh), Outcome::kInvalid, Reason::kBadStatusProof);

  fx.ledger.Ok(fx.licensing, "licence", "restore", {{"identifier", fx.direct}});
  Expect(verifier.Verify(present(fx.ledger.Export(fx.direct)), fx.Opts("c")), Outcome::kValid,
         Reason::kNone);
  fx.ledger.Ok(fx.licensing, "licence", "revoke", {{"identifier", fx.direct}, {"reason", "fraud"}});
  Bundle revoked = fx.ledger.Export(fx.direct);
  Expect(verifier.Verify(present(revoked), fx.Opts("c")), Outcome::kInvalid,
         Reason::kLicenceRevoked);
  // A revocation does not become acceptable with age.
  Expect(verifier.Verify(present(revoked), strict), Outcome::kInvalid, Reason::kLicenceRevoked);

  // Renewal cancels the old version.
  fx.ledger.Ok(fx.licensing, "licence", "renew", {{"identifier", fx.bl}});
  Verdict c = verifier.Verify(fx.PresentBl(fx.ledger.Export(fx.bl)), fx.Opts());
  Expect(c, Outcome::kInvalid, Reason::kLicenceCancelled);
  CHECK_THAT(c.detail, Catch::Contains("replaced by"));
}

TEST_CASE("proof: expiry is judged at the verifier's time", "[proof]") {
  DevNetwork net = MakeDevNetwork();
  for (auto& t : net.genesis.licence_types) {
    if (t.code == "BL") t.validity_days = 1;
  }
  TestLedger ledger(std::move(net));
  const crypto::KeyPair& admin = ledger.net().admin_keys.at("market");
  crypto::KeyPair holder = crypto::KeyPair::FromSeed(DevSeed("holder", "x"));
  std::string id = ledger.Ok(
      admin, "licence", "issue",
      {{"type", "BL"},
       {"holder_key", ToHex(holder.public_key())},
       {"holder_code_type", "none"},
       {"jurisdiction", "370102"},
       {"fields",
        {{"trade_name", {{"value", "x"}, {"salt", ToHex(Bytes(16, 1))}}}}}})["identifier"];
  Bundle b = ledger.Export(id);
  auto p = Present(b, {}, "c", ledger.now(), holder);
  REQUIRE(p.ok());
  Verifier verifier(ledger.genesis());
  VerifyOptions o;
  o.challenge = "c";
  o.now_ms = ledger.now();
  Verdict v = verifier.Verify(*p, o);
  Expect(v, Outcome::kValid, Reason::kNone);
  CHECK(v.issuer_kind == "org_admin");
  o.now_ms += 2 * 86'400'000ULL;
  Expect(verifier.Verify(*p, o), Outcome::kInvalid, Reason::kLicenceExpired);
}

TEST_CASE("proof: holder, challenge and disclosure failures", "[proof]") {
  Fixture fx;
  Bundle b = fx.ledger.Export(fx.bl);
  Verifier verifier(fx.ledger.genesis());
  Presentation p = fx.PresentBl(b, "nonce-1");
  Expect(verifier.Verify(p, fx.Opts("nonce-2")), Outcome::kInvalid, Reason::kChallengeMismatch);
  Expect(verifier.Verify(p, fx.Opts("")), Outcome::kInvalid, Reason::kChallengeMismatch);
  // Signed by someone other than the holder.
  auto thief = Present(b, fx.Disclose({"enterprise_name"}), "nonce-1", 0, fx.other_holder);
  REQUIRE(thief.ok());
  Expect(verifier.Verify(*thief, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kBadHolderSignature);
  // Wrong value, wrong salt, a field without commitment (all properly signed).
  auto ds = fx.Disclose({"enterprise_name"});
  ds[0].value = "Some Other Co., Ltd.";
  auto wrong = Present(b, ds, "nonce-1", 0, fx.holder);
  Expect(verifier.Verify(*wrong, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kDisclosureMismatch);
  ds = fx.Disclose({"enterprise_name"});
  ds[0].salt[0] ^= 1;
  auto salt = Present(b, ds, "nonce-1", 0, fx.holder);
  Expect(verifier.Verify(*salt, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kDisclosureMismatch);
  auto absent = Present(b,
                        {{"shareholders", "Zhao Yichun 70%; Li Na 30%",
                          *FromHex(fx.secrets["shareholders"]["salt"].get<std::string>())}},
                        "nonce-1", 0, fx.holder);
  REQUIRE(absent.ok());
  Expect(verifier.Verify(*absent, fx.Opts("nonce-1")), Outcome::kInvalid,
         Reason::kDisclosureMismatch);
  // Duplicate disclosures are refused when presenting.
  CHECK_FALSE(Present(b, fx.Disclose({"address", "address"}), "n", 0, fx.holder).ok());
}

TEST_CASE("proof: certificates need a quorum of distinct genesis validators", "[proof]") {
  Fixture fx;
  Bundle good = fx.ledger.Export(fx.bl);
  Verifier verifier(fx.ledger.genesis());
  size_t q = fx.ledger.Quorum();
  REQUIRE(good.issuance.certificate.signatures.size() == q);
  auto check = [&](const std::function<void(consensus::CommitCertificate&)>& mutate, Reason want) {
    for (bool status_cert : {false, true}) {
      Bundle b = good;
      mutate(status_cert ? b.status->certificate : b.issuance.certificate);
      Expect(verifier.Verify(fx.PresentBl(b), fx.Opts()), Outcome::kInvalid, want);
    }
  };
  // Missing quorum.
  check([&](auto& c) { c.signatures.resize(q - 1); }, Reason::kBadCertificate);
  // Duplicate signer (quorum reached only by counting it twice).
  check([&](auto& c) { c.signatures[1] = c.signatures[0]; }, Reason::kBadCertificate);
  // A signer that is not a genesis validator (key outside genesis, or id out of range).
  check(
      [&](auto& c) {
        crypto::KeyPair stranger = crypto::KeyPair::FromSeed(DevSeed("validator", "stranger"));
        c.signatures[0].second = stranger.Sign(
            consensus::kCommitTag, consensus::CommitVoteBody(c.view, c.height, c.block_hash));
      },
      Reason::kBadCertificate);
  check([&](auto& c) { c.signatures.back().first = 99; }, Reason::kBadCertificate);
  // A certificate of another block.
  check([&](auto& c) { c = fx.ledger.Cert(1); }, Reason::kBadHeader);
  // All four validators signed: still fine (nothing forces trimming).
  Bundle full = good;
  full.issuance.certificate = fx.ledger.Cert(full.issuance.header.height);
  Expect(verifier.Verify(fx.PresentBl(full), fx.Opts()), Outcome::kValid, Reason::kNone);
}

TEST_CASE("proof: issuer entitlement, network, Merkle path and status binding", "[proof]") {
  Fixture fx;
  Bundle good = fx.ledger.Export(fx.bl);
  // A genesis in which market may not issue BL.
  Genesis g = fx.ledger.genesis();
  for (auto& t : g.licence_types) {
    if (t.code == "BL") t.issuer_orgs = {"police"};
  }
  Expect(Verifier(g).Verify(fx.PresentBl(good), fx.Opts()), Outcome::kInvalid,
         Reason::kIssuerNotEntitled);
  Genesis other = fx.ledger.genesis();
  other.network_id = "licenced-elsewhere";
  Expect(Verifier(other).Verify(fx.PresentBl(good), fx.Opts()), Outcome::kInvalid,
         Reason::kWrongNetwork);

  Verifier verifier(fx.ledger.genesis());
  Bundle b = good;
  b.issuance.index += 1;
  Expect(verifier.Verify(fx.PresentBl(b), fx.Opts()), Outcome::kInvalid, Reason::kBadMerklePath);
  b = good;
  b.issuance.path[0][0] ^= 1;
  Expect(verifier.Verify(fx.PresentBl(b), fx.Opts()), Outcome::kInvalid, Reason::kBadMerklePath);
  b = good;
  b.issuance.tree_size += 1;  // same shape, not canonical
  Expect(verifier.Verify(fx.PresentBl(b), fx.Opts()), Outcome::kInvalid, Reason::kBadMerklePath);
  // Another licence's status proof, or its record.
  Bundle d = fx.ledger.ExportAt(fx.direct, good.status->header.height);
  b = good;
  b.status = d.status;
  Expect(verifier.Verify(fx.PresentBl(b), fx.Opts()), Outcome::kInvalid, Reason::kBadStatusProof);
  b = good;
  b.record = d.record;
  Expect(verifier.Verify(fx.PresentBl(b), fx.Opts()), Outcome::kInvalid, Reason::kRecordMismatch);
  // Another licence's issuing tx.
  b = good;
  b.issuance = d.issuance;
  Expect(verifier.Verify(fx.PresentBl(b), fx.Opts()), Outcome::kInvalid, Reason::kRecordMismatch);
}

TEST_CASE("proof: status unknown without a status proof, or a stale one", "[proof]") {
  Fixture fx;
  Bundle b = fx.ledger.Export(fx.bl);
  Verifier verifier(fx.ledger.genesis());
  Bundle none = b;
  none.status.reset();
  Verdict v = verifier.Verify(fx.PresentBl(none), fx.Opts());
  Expect(v, Outcome::kStatusUnknown, Reason::kStatusMissing);
  CHECK_FALSE(v.status_height.has_value());
  // The encoding of a bundle without status round-trips, and still fails any tampering.
  auto rt = Bundle::Decode(none.Encode());
  REQUIRE(rt.ok());
  CHECK(*rt == none);
  // A fresh status proof fetched by the verifier (verify --node) stands in for a missing one.
  VerifyOptions fresh = fx.Opts();
  fresh.fresh_status = fx.ledger.ProveStatus(fx.bl, fx.ledger.height());
  Expect(verifier.Verify(fx.PresentBl(none), fresh), Outcome::kValid, Reason::kNone);
  // Stale: older than max_age.
  fx.ledger.Advance(3'600'000);
  VerifyOptions o = fx.Opts();
  o.max_age_ms = 600'000;
  Verdict stale = verifier.Verify(fx.PresentBl(b), o);
  Expect(stale, Outcome::kStatusUnknown, Reason::kStaleStatus);
  CHECK(stale.status_height == b.status->header.height);
  CHECK(*stale.status_age_ms == 3'600'000);
  o.max_age_ms = 7'200'000;
  Expect(verifier.Verify(fx.PresentBl(b), o), Outcome::kValid, Reason::kNone);
  // A status proof for the state before issuance cannot be made: the key is absent there,
  // and a status header at or below the issuance height is refused.
  Bundle early = b;
  early.status->header = b.issuance.header;
  early.status->certificate = b.issuance.certificate;
  Expect(verifier.Verify(fx.PresentBl(early), fx.Opts()), Outcome::kInvalid,
         Reason::kStatusMismatch);
}

TEST_CASE("proof: canonical tree size is the smallest size with the same path shape", "[proof]") {
  for (uint64_t n = 1; n <= 70; ++n) {
    std::vector<Bytes> leaves;
    for (uint64_t i = 0; i < n; ++i) leaves.push_back(ToBytes("leaf " + std::to_string(i)));
    std::vector<Hash> hashes;
    for (const auto& l : leaves) hashes.push_back(merkle::LeafHash(l));
    Hash root = merkle::RootFromLeafHashes(hashes);
    for (uint64_t i = 0; i < n; ++i) {
      auto path = merkle::InclusionProof(hashes, i);
      uint64_t c = CanonicalTreeSize(i, n, path.size());
      INFO("n=" << n << " i=" << i << " canonical=" << c);
      REQUIRE(c <= n);
      REQUIRE(c > i);
      CHECK(merkle::VerifyInclusion(hashes[i], i, c, path, root).ok());
      if (c - 1 > i) CHECK_FALSE(merkle::VerifyInclusion(hashes[i], i, c - 1, path, root).ok());
      CHECK(CanonicalTreeSize(i, c, path.size()) == c);
    }
  }
}

TEST_CASE("proof: verification rate (printed, not asserted)", "[proof][bench]") {
  Fixture fx;
  Bundle b = fx.ledger.Export(fx.bl);
  Bytes enc = fx.PresentBl(b).Encode();
  Verifier verifier(fx.ledger.genesis());
  auto opts = fx.Opts();
  const int kRounds = 300;
  auto t0 = std::chrono::steady_clock::now();
  int ok = 0;
  for (int i = 0; i < kRounds; ++i) ok += verifier.VerifyEncoded(enc, opts).valid() ? 1 : 0;
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(ok == kRounds);
  // The same machine's Ed25519 verification rate, to put the figure in context.
  crypto::KeyPair k = crypto::KeyPair::FromSeed(DevSeed("bench", "k"));
  Bytes body(100, 1);
  crypto::Signature sig = k.Sign("licenced/bench/v1", body);
  auto t1 = std::chrono::steady_clock::now();
  int good = 0;
  for (int i = 0; i < 2000; ++i)
    good += crypto::Verify(k.public_key(), "licenced/bench/v1", body, sig);
  double s1 = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  CHECK(good == 2000);
  std::printf("{\"ed25519_verify_per_second_one_core\": %.0f}\n", 2000 / s1);
  std::printf(
      "{\"proof_verify\": {\"presentations\": %d, \"seconds\": %.3f, \"per_second_one_core\": "
      "%.0f, \"presentation_bytes\": %zu, \"signature_checks_each\": %zu}}\n",
      kRounds, s, kRounds / s, enc.size(),
      2 + b.issuance.certificate.signatures.size() + b.status->certificate.signatures.size());
}

// Hidden: writes a bundle, the holder key, its secrets and the genesis into
// $LICENCED_PROOF_OUT for trying licencectl present/verify by hand.
TEST_CASE("proof: write sample files for licencectl", "[.files]") {
  const char* dir = std::getenv("LICENCED_PROOF_OUT");
  REQUIRE(dir != nullptr);
  Fixture fx;
  Bundle b = fx.ledger.Export(fx.bl);
  std::string d(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream out(d + "/" + name);
    out << text;
    REQUIRE(out);
  };
  write("proof.json", BundleToJson(b));
  write("genesis.json", fx.ledger.genesis().ToJson());
  write("secrets.json", fx.secrets.dump(2));
  REQUIRE(crypto::WriteKeyFile(d + "/holder.key", fx.holder, std::nullopt).ok());
  fx.ledger.Ok(fx.licensing, "licence", "revoke", {{"identifier", fx.bl}, {"reason", "demo"}});
  write("proof-revoked.json", BundleToJson(fx.ledger.Export(fx.bl)));
}

// Regression (tests/fuzz/regressions/fuzz_proof/bundle_licence_id_not_utf8):
// BundleToJson threw on a non-UTF-8 licence id.
TEST_CASE("proof: non-ASCII licence ids are refused on decode and never make JSON throw",
          "[proof]") {
  Fixture fx;
  Bundle b = fx.ledger.Export(fx.bl);
  b.licence_id = std::string("1.2\xff\xfe", 5);
  CHECK_FALSE(Bundle::Decode(b.Encode()).ok());
  std::string text = BundleToJson(b);  // must not throw
  CHECK_FALSE(BundleFromJson(text).ok());
  auto p = Present(b, {}, std::string("\xc3\x28", 2), 0, fx.holder);
  REQUIRE(p.ok());
  CHECK_FALSE(PresentationToJson(*p).empty());
  Verifier verifier(fx.ledger.genesis());
  Verdict v = verifier.Verify(*p, fx.Opts(std::string("\xc3\x28", 2)));
  CHECK_FALSE(v.valid());
  CHECK_FALSE(v.ToJson().empty());
}

TEST_CASE("proof: record hex fields of the wrong shape are BAD_ENCODING, v1 and v2", "[proof]") {
  Fixture fx;
  Verifier verifier(fx.ledger.genesis());
  const Bundle v1 = fx.ledger.Export(fx.bl);
  const Bundle v2 = V2(fx.ledger.Export(fx.bl));
  json rec = json::parse(ToString(v1.record));
  REQUIRE(rec["commitments"].is_object());
  const std::string first_commitment = rec["commitments"].begin().key();
  auto upper = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  struct Case {
    std::string what;
    std::function<void(json&)> change;
  };
  const std::vector<Case> cases = {
      {"issued_by upper case", [&](json& r) { r["issued_by"] = upper(r["issued_by"]); }},
      {"issued_by 62 digits",
       [](json& r) { r["issued_by"] = r["issued_by"].get<std::string>().substr(2); }},
      {"issuing_tx not hex", [](json& r) { r["issuing_tx"] = std::string(64, 'g'); }},
      {"issuing_tx upper case", [&](json& r) { r["issuing_tx"] = upper(r["issuing_tx"]); }},
      {"holder_key 66 digits",
       [](json& r) { r["holder_key"] = r["holder_key"].get<std::string>() + "00"; }},
      {"commitment not hex",
       [&](json& r) { r["commitments"][first_commitment] = std::string(64, 'z'); }},
      {"commitment a number", [&](json& r) { r["commitments"][first_commitment] = 7; }},
      {"commitment 63 digits",
       [&](json& r) {
         r["commitments"][first_commitment] =
             r["commitments"][first_commitment].get<std::string>().substr(1);
       }},
  };
  for (const auto& c : cases) {
    for (const Bundle* good : {&v1, &v2}) {
      INFO(c.what << (good == &v1 ? " (v1)" : " (v2)"));
      Bundle b = *good;
      json r = json::parse(ToString(b.record));
      c.change(r);
      b.record = ToBytes(r.dump());
      Verdict v = verifier.Verify(fx.PresentBl(b), fx.Opts());
      Expect(v, Outcome::kInvalid, Reason::kBadEncoding);
      CHECK_THAT(v.detail, Catch::Contains("64 lower-case hex"));
    }
  }
}
