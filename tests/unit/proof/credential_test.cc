// Licences as Verifiable Credentials (proof/credential.h): encodings against
// published vectors, the eddsa-jcs-2022 proof (every field matters, a
// reordered @context or another key fails), the licence credential's mapping
// of a ledger-issued licence, and status lists derived from ledger state
// (positions, revocation and suspension bits, 131,072 entries).
#include "proof/credential.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "fixture.h"

using namespace licenced;
using namespace licenced::proof;
using namespace licenced::proof::testing;
using json = nlohmann::json;

namespace {

std::string ReadRepoFile(const std::string& rel) {
  std::ifstream in(std::string(LICENCED_SOURCE_DIR) + "/" + rel, std::ios::binary);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

vc::LicenceCredentialInput InputFor(Fixture& f, const std::string& id) {
  vc::LicenceCredentialInput in;
  in.bundle = V2(f.ledger.Export(id));
  auto members = chaincode::StatusListMembers(f.ledger.state(), "market");
  REQUIRE(members.ok());
  bool found = false;
  for (const auto& m : *members) {
    if (m.identifier == id) {
      in.position = m.position;
      found = true;
    }
  }
  REQUIRE(found);
  in.status_base_url = "http://127.0.0.1:7003";
  return in;
}

// Every member's stored status at the newest block.
vc::StatusListInput ListFor(Fixture& f, vc::StatusPurpose purpose) {
  f.ledger.AddBlock({});
  vc::StatusListInput in;
  in.org = "market";
  in.purpose = purpose;
  in.header = f.ledger.Header(f.ledger.height());
  in.base_url = "http://127.0.0.1:7003";
  auto members = chaincode::StatusListMembers(f.ledger.state(), "market");
  REQUIRE(members.ok());
  for (const auto& m : *members) {
    auto raw = f.ledger.state().Get(chaincode::LicenceStatusKey(m.identifier));
    REQUIRE(raw);
    auto v = chaincode::LicenceStatusValue::Decode(*raw);
    REQUIRE(v.ok());
    in.entries.push_back({m.position, v->status});
  }
  return in;
}

}  // namespace

TEST_CASE("vc: base58btc and did:key match published vectors", "[vc]") {
  CHECK(vc::Base58btcEncode(AsBytes(std::string_view("Hello World!"))) == "2NEpo7TZRRrLZSi2U");
  CHECK(vc::Base58btcEncode(Bytes{0, 0, 1}) == "112");
  CHECK(*vc::Base58btcDecode("112") == (Bytes{0, 0, 1}));
  CHECK_FALSE(vc::Base58btcDecode("0OIl").ok());
  // did:key specification example: base58 public key -> did.
  auto raw = vc::Base58btcDecode("B12NYF8RrR3h41TDCTJojY59usg3mbtbjnFs7Eud1Y6u");
  REQUIRE(raw.ok());
  REQUIRE(raw->size() == 32);
  crypto::PublicKey key;
  std::copy(raw->begin(), raw->end(), key.begin());
  const std::string did = "did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH";
  CHECK(vc::DidKey(key) == did);
  CHECK(vc::VerificationMethodId(key) == did + "#z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH");
  CHECK(*vc::PublicKeyFromDidKey(did) == key);
  CHECK_FALSE(
      vc::PublicKeyFromDidKey("did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc").ok());
  CHECK_FALSE(vc::PublicKeyFromDidKey("did:web:example.com").ok());
}

TEST_CASE("vc: times, base64url and gzip round-trip", "[vc]") {
  CHECK(vc::IsoTime(0) == "1970-01-01T00:00:00Z");
  CHECK(vc::IsoTime(1764115200000ULL) == "2025-11-26T00:00:00Z");
  CHECK(vc::IsoTime(951782400123ULL) == "2000-02-29T00:00:00.123Z");
  for (uint64_t ms : {0ULL, 1764115200000ULL, 951782400123ULL, 4102444799999ULL}) {
    CHECK(*vc::ParseIsoTime(vc::IsoTime(ms)) == ms);
  }
  CHECK_FALSE(vc::ParseIsoTime("2026-02-30T00:00:00Z").ok());
  CHECK_FALSE(vc::ParseIsoTime("2026-01-01T00:00:00+08:00").ok());
  const Bytes data = {0xfb, 0xff, 0x00, 0x3e};
  CHECK(vc::Base64UrlEncode(data) == "-_8APg");
  CHECK(*vc::Base64UrlDecode("-_8APg") == data);
  CHECK_FALSE(vc::Base64UrlDecode("-_8APg==").ok());
  const Bytes zeros(16384, 0);
  auto gz = vc::Gzip(zeros);
  REQUIRE(gz.ok());
  CHECK((*gz)[0] == 0x1f);
  CHECK((*gz)[1] == 0x8b);
  CHECK(*vc::Gunzip(*gz, zeros.size()) == zeros);
  CHECK_FALSE(vc::Gunzip(*gz, zeros.size() - 1).ok());
}

TEST_CASE("vc: the shipped licence context is what the relatedResource digest pins", "[vc]") {
  const std::string file = ReadRepoFile("proof/contexts/licence-v1.jsonld");
  CHECK(vc::LicenceContext() == file);
  const Hash h = crypto::Sha256(AsBytes(file));
  CHECK(vc::LicenceContextDigestSri() == "sha256-" + Base64Encode(ByteView(h.data(), h.size())));
  CHECK_FALSE(json::parse(file).is_discarded());
}

TEST_CASE("vc: a licence credential maps the ledger's licence and verifies", "[vc]") {
  Fixture f;
  const crypto::KeyPair& admin = f.ledger.net().admin_keys.at("market");
  auto in = InputFor(f, f.direct);
  auto cred = vc::LicenceCredential(f.ledger.genesis(), in, admin, f.ledger.now());
  INFO(cred.status().ToString());
  REQUIRE(cred.ok());
  const json& c = *cred;
  CHECK(c["@context"] == json::array({vc::kVcContextV2, vc::kLicenceContextUrl}));
  CHECK(c["issuer"]["id"] == vc::DidKey(admin.public_key()));
  CHECK(c["issuer"]["issuerOrg"] == "market");
  CHECK(c["credentialSubject"]["id"] == vc::DidKey(f.other_holder.public_key()));
  CHECK(c["credentialSubject"]["identifier"] == f.direct);
  CHECK(c["credentialSubject"]["licenceType"] == "BL");
  CHECK(c["credentialSubject"]["commitments"].contains("trade_name"));
  CHECK(c.contains("validFrom"));
  REQUIRE(c["credentialStatus"].size() == 2);
  CHECK(c["credentialStatus"][0]["statusPurpose"] == "revocation");
  CHECK(c["credentialStatus"][1]["statusPurpose"] == "suspension");
  CHECK(c["credentialStatus"][0]["statusListCredential"] ==
        "http://127.0.0.1:7003/credentials/status/market/revocation/0");
  CHECK(c["credentialStatus"][0]["statusListIndex"] == std::to_string(in.position));
  CHECK(c["relatedResource"][0]["digestSRI"] == vc::LicenceContextDigestSri());
  // The evidence is the v2 bundle, byte for byte, and it verifies against the genesis.
  const json& ev = c["evidence"][0];
  CHECK(ev["genesisHash"] == ToHex(f.ledger.genesis().ComputeHash()));
  auto raw = Base64Decode(ev["bundle"].get<std::string>());
  REQUIRE(raw.ok());
  CHECK(*raw == in.bundle.Encode());
  Verifier verifier(f.ledger.genesis());
  CHECK(verifier.VerifyBundleEncoded(*raw, f.Opts()).valid());
  CHECK(vc::VerifyProof(c, admin.public_key()).ok());
}

TEST_CASE("vc: any changed field, a reordered @context or another key fails the proof", "[vc]") {
  Fixture f;
  const crypto::KeyPair& admin = f.ledger.net().admin_keys.at("market");
  auto cred =
      vc::LicenceCredential(f.ledger.genesis(), InputFor(f, f.direct), admin, f.ledger.now());
  REQUIRE(cred.ok());
  const json good = *cred;
  REQUIRE(vc::VerifyProof(good, admin.public_key()).ok());
  // Every string leaf, changed by one character.
  size_t leaves = 0;
  const json flat = good.flatten();
  for (const auto& [pointer, value] : flat.items()) {
    if (!value.is_string() || value.get<std::string>().empty()) continue;
    json bad = flat;
    std::string s = value.get<std::string>();
    s[s.size() / 2] = s[s.size() / 2] == 'A' ? 'B' : 'A';
    bad[pointer] = s;
    INFO(pointer);
    CHECK_FALSE(vc::VerifyProof(bad.unflatten(), admin.public_key()).ok());
    ++leaves;
  }
  CHECK(leaves > 30);
  json reordered = good;
  std::swap(reordered["@context"][0], reordered["@context"][1]);
  CHECK_FALSE(vc::VerifyProof(reordered, admin.public_key()).ok());
  json extra = good;
  extra["credentialSubject"]["licenceName"] = "Something else";
  CHECK_FALSE(vc::VerifyProof(extra, admin.public_key()).ok());
  CHECK_FALSE(vc::VerifyProof(good, f.ledger.net().admin_keys.at("police").public_key()).ok());
  // Another org's admin key may not issue market's credentials.
  auto wrong = vc::LicenceCredential(f.ledger.genesis(), InputFor(f, f.direct),
                                     f.ledger.net().admin_keys.at("police"), f.ledger.now());
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().message().find("not an admin key of org 'market'") != std::string::npos);
}

TEST_CASE("vc: status lists carry the ledger's revocations and suspensions", "[vc]") {
  Fixture f;
  const crypto::KeyPair& admin = f.ledger.net().admin_keys.at("market");
  auto members = chaincode::StatusListMembers(f.ledger.state(), "market");
  REQUIRE(members.ok());
  REQUIRE(members->size() == 2);
  // Positions follow issuance: the flow's licence was issued first.
  CHECK((*members)[0].identifier == f.bl);
  CHECK((*members)[1].identifier == f.direct);
  f.ledger.Ok(f.licensing, "licence", "suspend", {{"identifier", f.bl}, {"reason", "inspection"}});
  f.ledger.Ok(f.licensing, "licence", "revoke", {{"identifier", f.direct}, {"reason", "fraud"}});
  for (vc::StatusPurpose purpose : vc::kStatusPurposes) {
    auto in = ListFor(f, purpose);
    auto cred = vc::StatusListCredential(f.ledger.genesis(), in, admin, f.ledger.now());
    INFO(cred.status().ToString());
    REQUIRE(cred.ok());
    CHECK(vc::VerifyProof(*cred, admin.public_key()).ok());
    CHECK((*cred)["type"][1] == "BitstringStatusListCredential");
    CHECK((*cred)["credentialSubject"]["statusPurpose"] == vc::StatusPurposeName(purpose));
    CHECK((*cred)["evidence"][0]["statusHeight"] == f.ledger.height());
    auto bits = vc::DecodeStatusList(*cred);
    REQUIRE(bits.ok());
    CHECK(bits->size() * 8 == chaincode::kStatusListLength);
    const bool suspension = purpose == vc::StatusPurpose::kSuspension;
    CHECK(vc::ListBit(*bits, 0) == suspension);   // bl: suspended
    CHECK(vc::ListBit(*bits, 1) == !suspension);  // direct: revoked
    size_t set = 0;
    for (uint64_t i = 0; i < chaincode::kStatusListLength; ++i) set += vc::ListBit(*bits, i);
    CHECK(set == 1);
  }
  // A position outside the list is refused, not dropped.
  auto in = ListFor(f, vc::StatusPurpose::kRevocation);
  in.entries.push_back({chaincode::kStatusListLength, chaincode::LicenceStatus::kRevoked});
  CHECK_FALSE(vc::StatusListCredential(f.ledger.genesis(), in, admin, f.ledger.now()).ok());
}

TEST_CASE("vc: status bits of every catalogue status", "[vc]") {
  using chaincode::LicenceStatus;
  using vc::StatusPurpose;
  CHECK_FALSE(vc::StatusBit(LicenceStatus::kValid, StatusPurpose::kRevocation));
  CHECK_FALSE(vc::StatusBit(LicenceStatus::kValid, StatusPurpose::kSuspension));
  CHECK(vc::StatusBit(LicenceStatus::kSuspended, StatusPurpose::kSuspension));
  CHECK_FALSE(vc::StatusBit(LicenceStatus::kSuspended, StatusPurpose::kRevocation));
  for (LicenceStatus s :
       {LicenceStatus::kRevoked, LicenceStatus::kCancelled, LicenceStatus::kExpired}) {
    CHECK(vc::StatusBit(s, StatusPurpose::kRevocation));
    CHECK_FALSE(vc::StatusBit(s, StatusPurpose::kSuspension));
  }
}

TEST_CASE("vc: a credential checked against the genesis and its ledger evidence", "[vc]") {
  Fixture f;
  const crypto::KeyPair& admin = f.ledger.net().admin_keys.at("market");
  const crypto::KeyPair& police = f.ledger.net().admin_keys.at("police");
  const Genesis& g = f.ledger.genesis();
  auto cred = vc::LicenceCredential(g, InputFor(f, f.direct), admin, f.ledger.now());
  REQUIRE(cred.ok());
  const json good = *cred;
  vc::CredentialVerifyOptions o;
  o.now_ms = f.ledger.now();
  o.max_age_ms = 86'400'000;
  auto check = [&](const json& c, const vc::CredentialVerifyOptions& opts) {
    return vc::VerifyLicenceCredential(g, c, opts);
  };
  auto expect = [&](const Verdict& v, Outcome out, Reason r) {
    INFO(v.detail);
    CHECK(OutcomeName(v.outcome) == std::string(OutcomeName(out)));
    CHECK(ReasonName(v.reason) == std::string(ReasonName(r)));
  };
  expect(check(good, o), Outcome::kValid, Reason::kNone);

  // Any change breaks the proof; a re-signed change no longer matches the record.
  json bad = good;
  bad["credentialSubject"]["licenceType"] = "SSC";
  expect(check(bad, o), Outcome::kInvalid, Reason::kBadCredentialProof);
  bad.erase("proof");
  expect(check(*vc::AddProof(bad, admin, o.now_ms), o), Outcome::kInvalid,
         Reason::kCredentialMismatch);
  for (const char* field : {"licenceName", "number", "jurisdiction", "issueDate"}) {
    json renamed = good;
    renamed.erase("proof");
    renamed["credentialSubject"][field] = "something else";
    INFO(field);
    expect(check(*vc::AddProof(renamed, admin, o.now_ms), o), Outcome::kInvalid,
           Reason::kCredentialMismatch);
  }
  // Signed by a key the genesis does not give the issuing org.
  json stolen = good;
  stolen.erase("proof");
  stolen["issuer"]["id"] = vc::DidKey(police.public_key());
  expect(check(*vc::AddProof(stolen, police, o.now_ms), o), Outcome::kInvalid,
         Reason::kIssuerNotEntitled);
  // Another network's genesis.
  Genesis other = g;
  other.network_id = "another-network";
  expect(vc::VerifyLicenceCredential(other, good, o), Outcome::kInvalid, Reason::kWrongNetwork);
  // The evidence is old: STATUS_UNKNOWN, unless a current status list is given.
  vc::CredentialVerifyOptions later = o;
  later.now_ms += 2 * 86'400'000ULL;
  expect(check(good, later), Outcome::kStatusUnknown, Reason::kStaleStatus);

  // Revoked after issuance: the issuer's current revocation list says so.
  f.ledger.Ok(f.licensing, "licence", "revoke", {{"identifier", f.direct}, {"reason", "fraud"}});
  auto rev = vc::StatusListCredential(g, ListFor(f, vc::StatusPurpose::kRevocation), admin,
                                      f.ledger.now());
  auto sus = vc::StatusListCredential(g, ListFor(f, vc::StatusPurpose::kSuspension), admin,
                                      f.ledger.now());
  REQUIRE(rev.ok());
  REQUIRE(sus.ok());
  vc::CredentialVerifyOptions with = o;
  with.now_ms = f.ledger.now();
  with.status_lists = {*sus};
  expect(check(good, with), Outcome::kValid, Reason::kNone);
  with.status_lists = {*rev, *sus};
  expect(check(good, with), Outcome::kInvalid, Reason::kLicenceRevoked);
  // A list signed by another org, at the issuer's URL.
  json forged = *rev;
  forged.erase("proof");
  forged["issuer"] = {{"id", vc::DidKey(police.public_key())}, {"issuerOrg", "police"}};
  with.status_lists = {*vc::AddProof(forged, police, with.now_ms), *sus};
  expect(check(good, with), Outcome::kInvalid, Reason::kIssuerNotEntitled);
  // A list whose validity ended is no status at all.
  vc::CredentialVerifyOptions expired = with;
  expired.status_lists = {*sus};
  expired.now_ms += 2 * 86'400'000ULL;
  expect(check(good, expired), Outcome::kStatusUnknown, Reason::kStaleStatus);
}

TEST_CASE("vc: a credential carrying a v3 bundle verifies, and its bundleFormat must match",
          "[vc]") {
  Fixture f;
  const crypto::KeyPair& admin = f.ledger.net().admin_keys.at("market");
  const Genesis& g = f.ledger.genesis();
  vc::LicenceCredentialInput in = InputFor(f, f.direct);
  in.bundle = f.ledger.ExportV3(f.direct);
  auto cred = vc::LicenceCredential(g, in, admin, f.ledger.now());
  REQUIRE(cred.ok());
  CHECK((*cred)["evidence"][0]["bundleFormat"] == "licenced-proof-bundle/v3");
  CHECK((*cred)["evidence"][0]["statusHeight"] == f.ledger.height());
  vc::CredentialVerifyOptions o;
  o.now_ms = f.ledger.now();
  o.max_age_ms = 86'400'000;
  Verdict v = vc::VerifyLicenceCredential(g, *cred, o);
  INFO(v.detail);
  CHECK(v.valid());
  // The evidence claiming the other format is refused, re-signed or not.
  json lying = *cred;
  lying.erase("proof");
  lying["evidence"][0]["bundleFormat"] = "licenced-proof-bundle/v2";
  Verdict l = vc::VerifyLicenceCredential(g, *vc::AddProof(lying, admin, o.now_ms), o);
  CHECK(ReasonName(l.reason) == std::string("BAD_ENCODING"));
}
