// licence.publish_status_list (chaincode/status_lists.cc) over the real
// chaincode and a ledger of real blocks: an issuing org's signed status list
// goes on the ledger and the published_status_list query returns it; every
// refusal (another org's signer, another org's key, a broken proof, an
// expired list, a list naming a block not yet committed, one older than the
// list it would replace, another network) names its reason and writes nothing.
#include <catch2/catch.hpp>

#include "chaincode/engine.h"
#include "chaincode/status_lists.h"
#include "fixture.h"
#include "proof/credential.h"

using namespace licenced;
using namespace licenced::proof;
using namespace licenced::proof::testing;
using json = nlohmann::json;

namespace {

// market's revocation list at the newest header, signed by `key`.
json MarketList(Fixture& f, const crypto::KeyPair& key,
                vc::StatusPurpose purpose = vc::StatusPurpose::kRevocation) {
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
  auto cred = vc::StatusListCredential(f.ledger.genesis(), in, key, f.ledger.now());
  REQUIRE(cred.ok());
  return *cred;
}

// Signs `doc` (a list with its proof removed or changed) again with `key`.
json Resign(json doc, const crypto::KeyPair& key, uint64_t now) {
  doc.erase("proof");
  auto signed_doc = vc::AddProof(std::move(doc), key, now);
  REQUIRE(signed_doc.ok());
  return *signed_doc;
}

TxResult Publish(Fixture& f, const crypto::KeyPair& signer, const json& credential) {
  return f.ledger.AddBlock(
      {f.ledger.Tx(signer, "licence", "publish_status_list", {{"credential", credential}})})[0];
}

std::optional<Bytes> Stored(Fixture& f, const char* purpose = "revocation") {
  return f.ledger.state().Get(chaincode::PublishedStatusListKey("market", purpose, 0));
}

void CheckRefused(const TxResult& r, StatusCode code, const std::string& says) {
  INFO(r.outcome.status.ToString());
  CHECK(r.outcome.status.code() == code);
  CHECK(r.outcome.status.message().find(says) != std::string::npos);
}

}  // namespace

TEST_CASE("published lists: an admin's signed list goes on the ledger and is queried back",
          "[vc][publish]") {
  Fixture f;
  const crypto::KeyPair& admin = f.ledger.net().admin_keys.at("market");
  f.ledger.Ok(f.licensing, "licence", "revoke", {{"identifier", f.direct}, {"reason", "fraud"}});
  const json list = MarketList(f, admin);
  const uint64_t status_height = f.ledger.height();
  const json result = f.ledger.Ok(Publish(f, admin, list));
  CHECK(result["issuer_org"] == "market");
  CHECK(result["purpose"] == "revocation");
  CHECK(result["list"] == 0);
  CHECK(result["status_height"] == status_height);
  auto stored = Stored(f);
  REQUIRE(stored);
  const json back = json::parse(stored->begin(), stored->end());
  CHECK(back == list);
  CHECK(vc::VerifyProof(back, admin.public_key()).ok());

  chaincode::Engine engine(f.ledger.genesis());
  auto q = engine.Query("published_status_list",
                        json{{"issuer_org", "market"}, {"purpose", "revocation"}}.dump(),
                        f.ledger.state(), f.ledger.now());
  REQUIRE(q.ok());
  const json qj = json::parse(*q);
  CHECK(qj["credential"] == list);
  CHECK(qj["status_height"] == status_height);
  auto none = engine.Query("published_status_list",
                           json{{"issuer_org", "market"}, {"purpose", "suspension"}}.dump(),
                           f.ledger.state(), f.ledger.now());
  CHECK(none.status().code() == StatusCode::kNotFound);

  // A licensing clerk of the org may publish the admin-signed list too, and
  // a newer one replaces it.
  const json newer = MarketList(f, admin);
  f.ledger.Ok(Publish(f, f.licensing, newer));
  stored = Stored(f);
  REQUIRE(stored);
  CHECK(json::parse(stored->begin(), stored->end()) == newer);
}

TEST_CASE("published lists: every refusal names its reason and writes nothing", "[vc][publish]") {
  Fixture f;
  const crypto::KeyPair& admin = f.ledger.net().admin_keys.at("market");
  const crypto::KeyPair& police = f.ledger.net().admin_keys.at("police");
  const json list = MarketList(f, admin);

  SECTION("a signer of another org") {
    CheckRefused(Publish(f, police, list), StatusCode::kPermissionDenied,
                 "may not publish the status lists of org 'market'");
  }
  SECTION("a window clerk of the org") {
    CheckRefused(Publish(f, f.window, list), StatusCode::kPermissionDenied, "may not publish");
  }
  SECTION("signed by a key that is not an admin key of the org") {
    json forged = list;
    forged["issuer"]["id"] = vc::DidKey(police.public_key());
    forged = Resign(forged, police, f.ledger.now());
    CheckRefused(Publish(f, admin, forged), StatusCode::kPermissionDenied,
                 "is not an admin key of org 'market'");
  }
  SECTION("one changed character of the list") {
    json broken = list;
    std::string bits = broken["credentialSubject"]["encodedList"];
    bits[bits.size() / 2] = bits[bits.size() / 2] == 'A' ? 'B' : 'A';
    broken["credentialSubject"]["encodedList"] = bits;
    CheckRefused(Publish(f, admin, broken), StatusCode::kInvalidArgument,
                 "proof: the proof's signature does not verify");
  }
  SECTION("expired by the block's time") {
    f.ledger.Advance(25ull * 3600 * 1000);
    CheckRefused(Publish(f, admin, list), StatusCode::kFailedPrecondition, "expired at");
  }
  SECTION("naming a block that is not committed yet") {
    json future = list;
    future["evidence"][0]["statusHeight"] = f.ledger.height() + 5;
    future = Resign(future, admin, f.ledger.now());
    CheckRefused(Publish(f, admin, future), StatusCode::kInvalidArgument,
                 "is not a block before this one");
  }
  SECTION("another network's list") {
    json other = list;
    other["evidence"][0]["network"] = "another-network";
    other = Resign(other, admin, f.ledger.now());
    CheckRefused(Publish(f, admin, other), StatusCode::kInvalidArgument,
                 "the evidence is of network 'another-network'");
  }
  SECTION("an id that does not name the list") {
    json renamed = list;
    renamed["id"] = "http://127.0.0.1:7003/credentials/status/police/revocation/0";
    renamed = Resign(renamed, admin, f.ledger.now());
    CheckRefused(Publish(f, admin, renamed), StatusCode::kInvalidArgument,
                 "id must end in /credentials/status/market/revocation/");
  }
  SECTION("older than the list already published") {
    const json newer = MarketList(f, admin);
    f.ledger.Ok(Publish(f, admin, newer));
    CheckRefused(Publish(f, admin, list), StatusCode::kFailedPrecondition,
                 "than the list already published");
    auto stored = Stored(f);
    REQUIRE(stored);
    CHECK(json::parse(stored->begin(), stored->end()) == newer);
    return;
  }
  CHECK_FALSE(Stored(f));
}
