// Writes the differential corpus of the verification page (tests/web): v2
// presentations of a real in-process ledger (chaincode, state map, signed
// certificates; tests/unit/proof/fixture.h), every single-byte mutation of a
// valid one, and one case for every reason code a v2 presentation can give,
// each with the C++ verifier's verdict. Hidden test case (tag [.corpus]):
// run_browser.py runs it with LICENCED_WEB_CORPUS=DIR.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "../unit/proof/fixture.h"

using namespace licenced;
using namespace licenced::proof;
using namespace licenced::proof::testing;

namespace {

struct Writer {
  json cases = json::array();
  json geneses = json::object();

  void Add(const std::string& name, const std::string& genesis_name, const Genesis& genesis,
           const Bytes& presentation, const VerifyOptions& o, const char* expect_reason) {
    const Verdict v = Verifier(genesis).VerifyEncoded(presentation, o);
    if (expect_reason != nullptr) {
      INFO(name << ": " << v.detail);
      CHECK(std::string(v.valid() ? "" : ReasonName(v.reason)) == expect_reason);
    }
    cases.push_back({{"name", name},
                     {"genesis", genesis_name},
                     {"presentation", Base64Encode(presentation)},
                     {"challenge", o.challenge},
                     {"now_ms", o.now_ms},
                     {"max_age_ms", o.max_age_ms ? json(*o.max_age_ms) : json(nullptr)},
                     {"cpp",
                      {{"result", OutcomeName(v.outcome)},
                       {"reason", v.valid() ? "" : ReasonName(v.reason)}}}});
  }
};

}  // namespace

TEST_CASE("web corpus: presentations and the C++ verdicts", "[.corpus]") {
  const char* dir = std::getenv("LICENCED_WEB_CORPUS");
  REQUIRE(dir != nullptr);
  Writer w;
  Fixture fx;
  const Genesis& g = fx.ledger.genesis();
  w.geneses["dev"] = json::parse(g.ToJson());
  const Bundle good = V2(fx.ledger.Export(fx.bl));
  const Presentation p = fx.PresentBl(good);
  const Bytes enc = p.Encode();
  w.Add("valid", "dev", g, enc, fx.Opts(), "");
  {
    // The holder's presentation file as licencectl writes it, for the page test.
    std::ofstream(std::string(dir) + "/valid.presentation.json") << PresentationToJson(p);
  }
  auto direct = Present(V2(fx.ledger.Export(fx.direct)), {}, "bank-nonce-7f3a", fx.ledger.now(),
                        fx.other_holder);
  REQUIRE(direct.ok());
  w.Add("valid, no disclosure", "dev", g, direct->Encode(), fx.Opts(), "");

  // Every single-byte mutation (two ways per byte).
  for (size_t i = 0; i < enc.size(); ++i) {
    for (uint8_t delta : {uint8_t{0x01}, uint8_t{0x80}}) {
      Bytes bad = enc;
      bad[i] ^= delta;
      w.Add("byte " + std::to_string(i) + " ^ " + std::to_string(delta), "dev", g, bad, fx.Opts(),
            nullptr);
    }
  }
  // Truncations and an extension.
  for (size_t n : {size_t{0}, size_t{3}, enc.size() / 2, enc.size() - 1}) {
    w.Add("truncated to " + std::to_string(n), "dev", g, Bytes(enc.begin(), enc.begin() + n),
          fx.Opts(), "BAD_ENCODING");
  }
  Bytes longer = enc;
  longer.push_back(0);
  w.Add("trailing byte", "dev", g, longer, fx.Opts(), "BAD_ENCODING");

  // Every reason code a v2 presentation can give.
  auto present = [&](Bundle b) { return fx.PresentBl(std::move(b)).Encode(); };
  Bundle b = good;
  b.record = ToBytes("not json");
  w.Add("record not JSON", "dev", g, present(b), fx.Opts(), "BAD_ENCODING");
  json rec = json::parse(ToString(good.record));
  b = good;
  json r2 = rec;
  r2["type_code"] = "SSC";
  b.record = ToBytes(r2.dump());
  w.Add("record type differs from identifier", "dev", g, present(b), fx.Opts(), "RECORD_MISMATCH");

  Genesis no_bl = g;
  for (auto& t : no_bl.licence_types) {
    if (t.code == "BL") t.issuer_orgs = {"police"};
  }
  w.geneses["no_bl"] = json::parse(no_bl.ToJson());
  w.Add("market may not issue BL", "no_bl", no_bl, enc, fx.Opts(), "ISSUER_NOT_ENTITLED");
  Genesis police_admin = g;
  for (auto& o : police_admin.organisations) {
    if (o.id == "police") {
      auto k = FromHex(rec["issued_by"].get<std::string>());
      crypto::PublicKey pk;
      std::copy(k->begin(), k->end(), pk.begin());
      o.admin_keys.push_back(pk);
    }
  }
  w.geneses["police_admin"] = json::parse(police_admin.ToJson());
  w.Add("issued by another org's admin key", "police_admin", police_admin, enc, fx.Opts(),
        "ISSUER_NOT_ENTITLED");

  const size_t q = fx.ledger.Quorum();
  int cert_case = 0;
  auto cert = [&](const std::function<void(consensus::CommitCertificate&)>& mutate) {
    Bundle x = good;
    mutate(x.status->certificate);
    w.Add("certificate case " + std::to_string(++cert_case), "dev", g, present(x), fx.Opts(),
          "BAD_CERTIFICATE");
  };
  cert([&](auto& c) { c.signatures.resize(q - 1); });
  cert([&](auto& c) { c.signatures[1].second = c.signatures[0].second; });
  cert([&](auto& c) {
    crypto::KeyPair stranger = crypto::KeyPair::FromSeed(DevSeed("validator", "stranger"));
    c.signatures[0].second = stranger.Sign(
        consensus::kCommitTag, consensus::CommitVoteBody(c.view, c.height, c.block_hash));
  });
  cert([&](auto& c) { c.signatures.back().first = 99; });
  cert([&](auto& c) { c.view += 1; });

  b = good;
  b.status = fx.ledger.ProveStatus(fx.direct, good.status->header.height);
  w.Add("another licence's status proof", "dev", g, present(b), fx.Opts(), "BAD_STATUS_PROOF");
  b = good;
  r2 = rec;
  r2["issuer_name"] = "Another Bureau";
  b.record = ToBytes(r2.dump());
  w.Add("record changed", "dev", g, present(b), fx.Opts(), "STATUS_MISMATCH");
  b = good;
  b.status->header = fx.ledger.Header(rec["issued_height"].get<uint64_t>());
  w.Add("status before issuance", "dev", g, present(b), fx.Opts(), "STATUS_MISMATCH");

  Presentation p1 = fx.PresentBl(good, "nonce-1");
  w.Add("another challenge", "dev", g, p1.Encode(), fx.Opts("nonce-2"), "CHALLENGE_MISMATCH");
  auto thief = Present(good, {}, "nonce-1", 0, fx.other_holder);
  REQUIRE(thief.ok());
  w.Add("signed by another key", "dev", g, thief->Encode(), fx.Opts("nonce-1"),
        "BAD_HOLDER_SIGNATURE");
  Presentation wrong_tag = p1;
  wrong_tag.signature = fx.holder.Sign(kPresentationTag, p1.SigningBody());
  w.Add("signed under the v1 tag", "dev", g, wrong_tag.Encode(), fx.Opts("nonce-1"),
        "BAD_HOLDER_SIGNATURE");
  auto ds = fx.Disclose({"enterprise_name"});
  ds[0].value = "Some Other Co., Ltd.";
  auto wrong = Present(good, ds, "nonce-1", 0, fx.holder);
  REQUIRE(wrong.ok());
  w.Add("wrong disclosed value", "dev", g, wrong->Encode(), fx.Opts("nonce-1"),
        "DISCLOSURE_MISMATCH");
  auto nofield = Present(good, {{"no_such_field", "x", Bytes(16, 1)}}, "nonce-1", 0, fx.holder);
  REQUIRE(nofield.ok());
  w.Add("disclosed field without commitment", "dev", g, nofield->Encode(), fx.Opts("nonce-1"),
        "DISCLOSURE_MISMATCH");
  VerifyOptions early = fx.Opts();
  early.now_ms = rec["valid_from_ms"].get<uint64_t>() - 1;
  w.Add("before validity", "dev", g, enc, early, "LICENCE_NOT_YET_VALID");
  VerifyOptions old = fx.Opts();
  old.now_ms += 3'600'000;
  old.max_age_ms = 600'000;
  w.Add("stale status", "dev", g, enc, old, "STALE_STATUS");

  // ---- format v1: the same checks plus the issuing transaction ----
  const Bundle good1 = fx.ledger.Export(fx.bl);
  const Bytes enc1 = fx.PresentBl(good1).Encode();
  w.Add("v1 valid", "dev", g, enc1, fx.Opts(), "");
  for (size_t i = 0; i < enc1.size(); ++i) {
    for (uint8_t delta : {uint8_t{0x01}, uint8_t{0x80}}) {
      Bytes bad = enc1;
      bad[i] ^= delta;
      w.Add("v1 byte " + std::to_string(i) + " ^ " + std::to_string(delta), "dev", g, bad,
            fx.Opts(), nullptr);
    }
  }
  Genesis other_net = g;
  other_net.network_id = "another-network";
  w.geneses["other_net"] = json::parse(other_net.ToJson());
  w.Add("v1 issued on another network", "other_net", other_net, enc1, fx.Opts(), "WRONG_NETWORK");
  b = good1;
  b.licence_id = fx.direct;
  w.Add("v1 bundle for another licence id", "dev", g, present(b), fx.Opts(), "RECORD_MISMATCH");
  b = good1;
  b.issuance.tx.back() ^= 0x01;  // a signature byte: the tx id stays the same
  w.Add("v1 issuing signature", "dev", g, present(b), fx.Opts(), "BAD_ISSUER_SIGNATURE");
  b = good1;
  REQUIRE_FALSE(b.issuance.path.empty());
  b.issuance.path[0][0] ^= 0x01;
  w.Add("v1 audit path", "dev", g, present(b), fx.Opts(), "BAD_MERKLE_PATH");
  b = good1;
  b.issuance.tree_size += 1;
  w.Add("v1 tree size not canonical", "dev", g, present(b), fx.Opts(), "BAD_MERKLE_PATH");
  b = good1;
  b.issuance.certificate = TrimCertificate(fx.ledger.Cert(1), q);
  w.Add("v1 issuance certificate of another block", "dev", g, present(b), fx.Opts(), "BAD_HEADER");
  b = good1;
  b.issuance.certificate.signatures.resize(q - 1);
  w.Add("v1 issuance certificate below quorum", "dev", g, present(b), fx.Opts(), "BAD_CERTIFICATE");
  b = good1;
  b.status->certificate = TrimCertificate(fx.ledger.Cert(2), q);
  w.Add("v1 status certificate of another block", "dev", g, present(b), fx.Opts(), "BAD_HEADER");
  b = good1;
  b.status = fx.ledger.ProveStatus(fx.direct, good1.status->header.height);
  w.Add("v1 another licence's status proof", "dev", g, present(b), fx.Opts(), "BAD_STATUS_PROOF");
  b = good1;
  b.status.reset();
  w.Add("v1 without status evidence", "dev", g, present(b), fx.Opts(), "STATUS_MISSING");

  auto other = [&](const std::string& id) {
    auto x = Present(V2(fx.ledger.Export(id)), {}, "c", fx.ledger.now(), fx.other_holder);
    REQUIRE(x.ok());
    return x->Encode();
  };
  fx.ledger.Ok(fx.licensing, "licence", "suspend",
               {{"identifier", fx.direct}, {"reason", "audit"}});
  w.Add("suspended", "dev", g, other(fx.direct), fx.Opts("c"), "LICENCE_SUSPENDED");
  fx.ledger.Ok(fx.licensing, "licence", "restore", {{"identifier", fx.direct}});
  fx.ledger.Ok(fx.licensing, "licence", "revoke", {{"identifier", fx.direct}, {"reason", "fraud"}});
  w.Add("revoked", "dev", g, other(fx.direct), fx.Opts("c"), "LICENCE_REVOKED");
  fx.ledger.Ok(fx.licensing, "licence", "renew", {{"identifier", fx.bl}});
  w.Add("cancelled (renewed)", "dev", g, fx.PresentBl(V2(fx.ledger.Export(fx.bl))).Encode(),
        fx.Opts(), "LICENCE_CANCELLED");
  // A social security card (10 years' validity) issued by social's admin key.
  const std::string ssc =
      fx.ledger
          .Ok(fx.ledger.net().admin_keys.at("social"), "licence", "issue",
              {{"type", "SSC"},
               {"holder_key", ToHex(fx.other_holder.public_key())},
               {"holder_code_type", "none"},
               {"jurisdiction", "370102"},
               {"fields", {{"name", {{"value", "x"}, {"salt", ToHex(Bytes(16, 1))}}}}}})
          .at("identifier");
  w.Add("social security card", "dev", g, other(ssc), fx.Opts("c"), "");
  VerifyOptions later = fx.Opts("c");
  later.now_ms += 3700ULL * 86'400'000ULL;
  w.Add("expired", "dev", g, other(ssc), later, "LICENCE_EXPIRED");

  // Licences issued to a holder key of small order (or not canonical): a
  // "signature" R = that point, S = 0 passes a lax Ed25519 check for any
  // message; libsodium refuses it, and so must the page.
  const char* weak_keys[] = {"0100000000000000000000000000000000000000000000000000000000000000",
                             "0000000000000000000000000000000000000000000000000000000000000000",
                             "0000000000000000000000000000000000000000000000000000000000000080",
                             "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                             "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
                             "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
                             "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
                             "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                             "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                             "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"};
  for (const char* weak : weak_keys) {
    const std::string id =
        fx.ledger
            .Ok(fx.licensing, "licence", "issue",
                {{"type", "BL"},
                 {"holder_key", weak},
                 {"holder_code_type", "none"},
                 {"jurisdiction", "370102"},
                 {"fields", {{"trade_name", {{"value", "x"}, {"salt", ToHex(Bytes(16, 2))}}}}}})
            .at("identifier");
    Presentation forged;
    forged.bundle = V2(fx.ledger.Export(id));
    forged.challenge = "c";
    forged.created_at_ms = fx.ledger.now();
    auto pt = FromHex(weak);
    REQUIRE(pt.ok());
    std::copy(pt->begin(), pt->end(), forged.signature.begin());  // R = the point, S = 0
    w.Add(std::string("holder key of small order ") + weak, "dev", g, forged.Encode(), fx.Opts("c"),
          "BAD_HOLDER_SIGNATURE");
  }

  std::ofstream out(std::string(dir) + "/corpus.json");
  out << json{{"geneses", w.geneses}, {"cases", w.cases}}.dump() << "\n";
  REQUIRE(out.good());
  std::ofstream(std::string(dir) + "/genesis.json") << g.ToJson();
}
