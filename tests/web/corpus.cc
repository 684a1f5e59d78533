// Writes the differential corpus of the verification page (tests/web): v2, v1
// and v3 presentations of a real in-process ledger (chaincode, state map,
// signed commit and state certificates; tests/unit/proof/fixture.h), every
// single-byte mutation of a valid one of each format, and one case for every
// reason code a presentation of each format can give, each with the C++
// verifier's verdict and detail. Hidden test case (tag [.corpus]):
// run_browser.py runs it with LICENCED_WEB_CORPUS=DIR.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "../unit/proof/fixture.h"

using namespace licenced;
using namespace licenced::proof;
using namespace licenced::proof::testing;

namespace {

// Public keys of small order (or not canonical): a "signature" R = that
// point, S = 0 passes a lax Ed25519 check for any message; libsodium refuses
// it, and so must the page.
const char* const kWeakKeys[] = {
    "0100000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"};

struct CorpusWriter {
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
                       {"reason", v.valid() ? "" : ReasonName(v.reason)},
                       {"detail", v.detail}}}});
  }
};

}  // namespace

TEST_CASE("web corpus: presentations and the C++ verdicts", "[.corpus]") {
  const char* dir = std::getenv("LICENCED_WEB_CORPUS");
  REQUIRE(dir != nullptr);
  CorpusWriter w;
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

  // ---- format v3: the status in the state after block H, under H's state
  // certificate; no block is needed after the one that changed the licence ----
  const Bundle good3 = fx.ledger.ExportV3(fx.bl);
  const Presentation p3 = fx.PresentBl(good3);
  const Bytes enc3 = p3.Encode();
  w.Add("v3 valid", "dev", g, enc3, fx.Opts(), "");
  std::ofstream(std::string(dir) + "/valid-v3.presentation.json") << PresentationToJson(p3);
  auto direct3 = Present(fx.ledger.ExportV3(fx.direct), {}, "bank-nonce-7f3a", fx.ledger.now(),
                         fx.other_holder);
  REQUIRE(direct3.ok());
  w.Add("v3 valid, no disclosure", "dev", g, direct3->Encode(), fx.Opts(), "");
  for (size_t i = 0; i < enc3.size(); ++i) {
    for (uint8_t delta : {uint8_t{0x01}, uint8_t{0x80}}) {
      Bytes bad = enc3;
      bad[i] ^= delta;
      w.Add("v3 byte " + std::to_string(i) + " ^ " + std::to_string(delta), "dev", g, bad,
            fx.Opts(), nullptr);
    }
  }
  for (size_t n : {size_t{0}, size_t{3}, enc3.size() / 2, enc3.size() - 1}) {
    w.Add("v3 truncated to " + std::to_string(n), "dev", g, Bytes(enc3.begin(), enc3.begin() + n),
          fx.Opts(), "BAD_ENCODING");
  }
  longer = enc3;
  longer.push_back(0);
  w.Add("v3 trailing byte", "dev", g, longer, fx.Opts(), "BAD_ENCODING");
  // The presentation's magic must name its bundle's format ("...presentation/vN").
  const size_t version_at = 4 + kPresentationMagicV3.size() - 1;
  Bytes mixed = enc3;
  mixed[version_at] = '2';
  w.Add("v3 bundle in a v2 presentation", "dev", g, mixed, fx.Opts(), "BAD_ENCODING");
  mixed = enc;
  mixed[version_at] = '3';
  w.Add("v3 presentation of a v2 bundle", "dev", g, mixed, fx.Opts(), "BAD_ENCODING");

  // Every reason code a v3 presentation can give (proof_v3_test.cc).
  b = good3;
  b.record = ToBytes("not json");
  w.Add("v3 record not JSON", "dev", g, present(b), fx.Opts(), "BAD_ENCODING");
  b = good3;
  r2 = rec;
  r2["type_code"] = "SSC";
  b.record = ToBytes(r2.dump());
  w.Add("v3 record type differs from identifier", "dev", g, present(b), fx.Opts(),
        "RECORD_MISMATCH");
  w.Add("v3 market may not issue BL", "no_bl", no_bl, enc3, fx.Opts(), "ISSUER_NOT_ENTITLED");
  w.Add("v3 issued by another org's admin key", "police_admin", police_admin, enc3, fx.Opts(),
        "ISSUER_NOT_ENTITLED");

  const uint64_t h3 = good3.status->header.height;
  const Hash hash3 = good3.status->header.ComputeHash();
  const std::string_view checkpoint_tag = consensus::TagFor(consensus::MsgType::kCheckpoint);
  auto state_vote = [&](const crypto::KeyPair& key, const Hash& root) {
    return key.Sign(checkpoint_tag, consensus::CheckpointMsg{h3, hash3, root}.Encode());
  };
  int votes_case = 0;
  auto votes = [&](const std::function<void(StateVotes&)>& mutate, const char* expect) {
    Bundle x = good3;
    mutate(*x.status->state);
    w.Add("v3 state certificate case " + std::to_string(++votes_case), "dev", g, present(x),
          fx.Opts(), expect);
  };
  votes([&](auto& c) { c.signatures.resize(q - 1); }, "BAD_CERTIFICATE");
  votes([&](auto& c) { c.signatures[1].second = c.signatures[0].second; }, "BAD_CERTIFICATE");
  votes(
      [&](auto& c) {
        crypto::KeyPair stranger = crypto::KeyPair::FromSeed(DevSeed("validator", "stranger"));
        c.signatures[0].second = state_vote(stranger, c.state_root);
      },
      "BAD_CERTIFICATE");
  votes([&](auto& c) { c.signatures.back().first = 99; }, "BAD_CERTIFICATE");
  votes([&](auto& c) { c.state_root[0] ^= 1; }, "BAD_CERTIFICATE");
  // A checkpoint body under the commit tag, and a commit vote for the block.
  votes(
      [&](auto& c) {
        c.signatures[0].second = fx.ledger.net().validator_keys[0].Sign(
            consensus::kCommitTag, consensus::CheckpointMsg{h3, hash3, c.state_root}.Encode());
      },
      "BAD_CERTIFICATE");
  votes(
      [&](auto& c) {
        c.signatures[0].second = fx.ledger.net().validator_keys[0].Sign(
            consensus::kCommitTag, consensus::CommitVoteBody(0, h3, hash3));
      },
      "BAD_CERTIFICATE");
  // Every validator's vote is fine; a vote beyond the quorum must verify too.
  votes(
      [&](auto& c) {
        for (size_t id = c.signatures.size(); id < fx.ledger.net().validator_keys.size(); ++id) {
          c.signatures.emplace_back(static_cast<uint32_t>(id),
                                    state_vote(fx.ledger.net().validator_keys[id], c.state_root));
        }
      },
      "");
  votes(
      [&](auto& c) {
        const uint32_t id = static_cast<uint32_t>(fx.ledger.net().validator_keys.size() - 1);
        c.signatures.emplace_back(id, state_vote(fx.ledger.net().validator_keys[0], c.state_root));
      },
      "BAD_CERTIFICATE");
  b = good3;
  b.status->state = fx.ledger.StateCertificate(h3 - 1);
  w.Add("v3 state certificate of the block before", "dev", g, present(b), fx.Opts(),
        "BAD_CERTIFICATE");
  // A validator key of small order: a vote R = that point, S = 0 passes a
  // lax Ed25519 check; libsodium refuses it, and so must the page.
  for (size_t k = 0; k < std::size(kWeakKeys); ++k) {
    auto pt = FromHex(kWeakKeys[k]);
    REQUIRE(pt.ok());
    Genesis weak = g;
    std::copy(pt->begin(), pt->end(), weak.validators[0].public_key.begin());
    const std::string name = "weak_validator_" + std::to_string(k);
    w.geneses[name] = json::parse(weak.ToJson());
    b = good3;
    crypto::Signature forged{};
    std::copy(pt->begin(), pt->end(), forged.begin());
    b.status->state->signatures[0].second = forged;
    w.Add(std::string("v3 validator key of small order ") + kWeakKeys[k], name, weak, present(b),
          fx.Opts(), "BAD_CERTIFICATE");
  }
  // No validators at all: one signer is still needed (ValidatorSet::quorum()).
  Genesis none = g;
  none.validators.clear();
  w.geneses["no_validators"] = json::parse(none.ToJson());
  b = good3;
  b.status->state->signatures.clear();
  w.Add("v3 no validators, no votes", "no_validators", none, present(b), fx.Opts(),
        "BAD_CERTIFICATE");
  b = good;
  b.status->certificate.signatures.clear();
  w.Add("no validators, no signatures", "no_validators", none, present(b), fx.Opts(),
        "BAD_CERTIFICATE");

  b = good3;
  b.status = fx.ledger.ProveCertifiedStatus(fx.direct, h3);
  w.Add("v3 another licence's status proof", "dev", g, present(b), fx.Opts(), "BAD_STATUS_PROOF");
  b = good3;
  r2 = rec;
  r2["issuer_name"] = "Another Bureau";
  b.record = ToBytes(r2.dump());
  w.Add("v3 record changed", "dev", g, present(b), fx.Opts(), "STATUS_MISMATCH");
  const uint64_t issued = rec["issued_height"].get<uint64_t>();
  b = good3;
  b.status->header = fx.ledger.Header(issued - 1);
  b.status->state = fx.ledger.StateCertificate(issued - 1);
  w.Add("v3 status before issuance", "dev", g, present(b), fx.Opts(), "STATUS_MISMATCH");
  // The state after the issuing block already holds the licence (v2 needs a later header).
  b = good3;
  b.status = fx.ledger.ProveCertifiedStatus(fx.bl, issued);
  w.Add("v3 in the issuing block's own state", "dev", g, present(b), fx.Opts(), "");

  Presentation p3_1 = fx.PresentBl(good3, "nonce-1");
  w.Add("v3 another challenge", "dev", g, p3_1.Encode(), fx.Opts("nonce-2"), "CHALLENGE_MISMATCH");
  auto thief3 = Present(good3, {}, "nonce-1", 0, fx.other_holder);
  REQUIRE(thief3.ok());
  w.Add("v3 signed by another key", "dev", g, thief3->Encode(), fx.Opts("nonce-1"),
        "BAD_HOLDER_SIGNATURE");
  wrong_tag = p3_1;
  wrong_tag.signature = fx.holder.Sign(kPresentationTagV2, p3_1.SigningBody());
  w.Add("v3 signed under the v2 tag", "dev", g, wrong_tag.Encode(), fx.Opts("nonce-1"),
        "BAD_HOLDER_SIGNATURE");
  auto wrong3 = Present(good3, ds, "nonce-1", 0, fx.holder);
  REQUIRE(wrong3.ok());
  w.Add("v3 wrong disclosed value", "dev", g, wrong3->Encode(), fx.Opts("nonce-1"),
        "DISCLOSURE_MISMATCH");
  auto nofield3 = Present(good3, {{"no_such_field", "x", Bytes(16, 1)}}, "nonce-1", 0, fx.holder);
  REQUIRE(nofield3.ok());
  w.Add("v3 disclosed field without commitment", "dev", g, nofield3->Encode(), fx.Opts("nonce-1"),
        "DISCLOSURE_MISMATCH");
  early = fx.Opts();
  early.now_ms = rec["valid_from_ms"].get<uint64_t>() - 1;
  w.Add("v3 before validity", "dev", g, enc3, early, "LICENCE_NOT_YET_VALID");
  old = fx.Opts();
  old.now_ms += 3'600'000;
  old.max_age_ms = 600'000;
  w.Add("v3 stale status", "dev", g, enc3, old, "STALE_STATUS");

  auto other = [&](const std::string& id) {
    auto x = Present(V2(fx.ledger.Export(id)), {}, "c", fx.ledger.now(), fx.other_holder);
    REQUIRE(x.ok());
    return x->Encode();
  };
  // v3 proves each change in the state after the block that made it; v2
  // (other) adds a block first, to have the change under a header.
  auto other3 = [&](const std::string& id) {
    auto x = Present(fx.ledger.ExportV3(id), {}, "c", fx.ledger.now(), fx.other_holder);
    REQUIRE(x.ok());
    return x->Encode();
  };
  fx.ledger.Ok(fx.licensing, "licence", "suspend",
               {{"identifier", fx.direct}, {"reason", "audit"}});
  w.Add("v3 suspended", "dev", g, other3(fx.direct), fx.Opts("c"), "LICENCE_SUSPENDED");
  w.Add("suspended", "dev", g, other(fx.direct), fx.Opts("c"), "LICENCE_SUSPENDED");
  fx.ledger.Ok(fx.licensing, "licence", "restore", {{"identifier", fx.direct}});
  w.Add("v3 restored", "dev", g, other3(fx.direct), fx.Opts("c"), "");
  fx.ledger.Ok(fx.licensing, "licence", "revoke", {{"identifier", fx.direct}, {"reason", "fraud"}});
  w.Add("v3 revoked", "dev", g, other3(fx.direct), fx.Opts("c"), "LICENCE_REVOKED");
  w.Add("revoked", "dev", g, other(fx.direct), fx.Opts("c"), "LICENCE_REVOKED");
  fx.ledger.Ok(fx.licensing, "licence", "renew", {{"identifier", fx.bl}});
  w.Add("v3 cancelled (renewed)", "dev", g, fx.PresentBl(fx.ledger.ExportV3(fx.bl)).Encode(),
        fx.Opts(), "LICENCE_CANCELLED");
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
  const Bytes ssc3 = other3(ssc);
  w.Add("v3 social security card", "dev", g, ssc3, fx.Opts("c"), "");
  w.Add("social security card", "dev", g, other(ssc), fx.Opts("c"), "");
  VerifyOptions later = fx.Opts("c");
  later.now_ms += 3700ULL * 86'400'000ULL;
  w.Add("v3 expired", "dev", g, ssc3, later, "LICENCE_EXPIRED");
  w.Add("expired", "dev", g, other(ssc), later, "LICENCE_EXPIRED");

  // Licences issued to a holder key of small order (or not canonical).
  for (const char* weak : kWeakKeys) {
    const std::string id =
        fx.ledger
            .Ok(fx.licensing, "licence", "issue",
                {{"type", "BL"},
                 {"holder_key", weak},
                 {"holder_code_type", "none"},
                 {"jurisdiction", "370102"},
                 {"fields", {{"trade_name", {{"value", "x"}, {"salt", ToHex(Bytes(16, 2))}}}}}})
            .at("identifier");
    auto pt = FromHex(weak);
    REQUIRE(pt.ok());
    Presentation forged;
    forged.challenge = "c";
    forged.created_at_ms = fx.ledger.now();
    std::copy(pt->begin(), pt->end(), forged.signature.begin());  // R = the point, S = 0
    // v3 in the state after the issuing block, then v2 at the next header.
    forged.bundle = fx.ledger.ExportV3(id);
    w.Add(std::string("v3 holder key of small order ") + weak, "dev", g, forged.Encode(),
          fx.Opts("c"), "BAD_HOLDER_SIGNATURE");
    forged.bundle = V2(fx.ledger.Export(id));
    w.Add(std::string("holder key of small order ") + weak, "dev", g, forged.Encode(), fx.Opts("c"),
          "BAD_HOLDER_SIGNATURE");
  }

  std::ofstream out(std::string(dir) + "/corpus.json");
  // Details of mutated inputs may quote bytes that are not UTF-8.
  out << json{{"geneses", w.geneses}, {"cases", w.cases}}.dump(-1, ' ', false,
                                                               json::error_handler_t::replace)
      << "\n";
  REQUIRE(out.good());
  std::ofstream(std::string(dir) + "/genesis.json") << g.ToJson();
}
