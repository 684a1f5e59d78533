// CredentialService (node/credential_service.h) over fake sources, and the
// pages built into the node (web/web_assets.h): a status list of the node's
// own org from the statuses proven at the head, another org's list as it
// published it on the ledger (only while it verifies, is valid and equals the
// ledger), refusals naming the reason, a bad path, no key or no certified
// block, and the page's files served byte for byte.
#include "node/credential_service.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "chaincode/status_lists.h"
#include "proof/credential.h"
#include "web/web_assets.h"

using namespace licenced;
using namespace licenced::node;
using json = nlohmann::json;

namespace {

struct Fake {
  DevNetwork net = MakeDevNetwork();
  consensus::BlockHeader head;
  std::map<std::string, chaincode::LicenceStatusValue> statuses;
  std::vector<chaincode::StatusListMember> members;
  std::map<std::string, std::string> published;  // state key -> the stored list (JSON)
  uint64_t now = 1764115300000ULL;
  int proofs = 0;

  Fake() {
    head.height = 10;
    head.timestamp_ms = 1764115200000ULL;
    for (uint64_t i = 0; i < 3; ++i) {
      const std::string id = "L" + std::to_string(i);
      members.push_back({id, 2 + i * 4, i});  // heights 2, 6, 10
      statuses[id] = {};
    }
    statuses["L1"].status = chaincode::LicenceStatus::kRevoked;
  }

  // The header of block `height` (0: the head); earlier blocks a minute apart.
  consensus::BlockHeader HeaderAt(uint64_t height) const {
    if (height == 0 || height == head.height) return head;
    consensus::BlockHeader h = head;
    h.height = height;
    h.timestamp_ms = head.timestamp_ms - (head.height - height) * 60'000;
    return h;
  }

  CredentialService Service(std::optional<crypto::KeyPair> key, bool certified = true,
                            const std::string& org = "market") {
    CredentialService::Sources s;
    s.members = [this](const std::string&) {
      return Result<std::vector<chaincode::StatusListMember>>(members);
    };
    // The fake's statuses do not change with the height: the header form and
    // the certified form prove the same values.
    s.state_proof = [this, certified](std::string_view key,
                                      uint64_t height) -> Result<StateInclusion> {
      if (!certified) return Status::NotFound("no block committed yet");
      ++proofs;
      StateInclusion in;
      in.header = HeaderAt(height);
      CHECK(height <= head.height);
      if (auto it = published.find(std::string(key)); it != published.end()) {
        in.value = ToBytes(it->second);
        return in;
      }
      const std::string id(key.substr(std::string_view("licence/status/").size()));
      if (statuses.count(id)) in.value = statuses[id].Encode();
      return in;
    };
    s.certified_state_proof = s.state_proof;
    s.latest = [this](std::string_view key) -> Result<std::optional<Bytes>> {
      if (auto it = published.find(std::string(key)); it != published.end()) {
        return std::optional<Bytes>(ToBytes(it->second));
      }
      const std::string id(key.substr(std::string_view("licence/status/").size()));
      if (statuses.count(id)) return std::optional<Bytes>(statuses[id].Encode());
      return std::optional<Bytes>();
    };
    s.now_ms = [this] { return now; };
    return CredentialService(&net.genesis, org, std::move(key), "http://127.0.0.1:7201",
                             std::move(s));
  }

  // `org`'s list as its own node builds it now, stored as published.
  json Publish(const std::string& org, const char* purpose = "revocation") {
    auto svc = Service(net.admin_keys.at(org), true, org);
    auto r = svc.Get(std::string("/credentials/status/") + org + "/" + purpose + "/0");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    published[chaincode::PublishedStatusListKey(org, purpose, 0)] = json::parse(r->body).dump();
    return json::parse(r->body);
  }
};

}  // namespace

TEST_CASE("credential service: the node's own org's status list, signed", "[node][credentials]") {
  REQUIRE(crypto::Init().ok());
  Fake f;
  const crypto::KeyPair admin = f.net.admin_keys.at("market");
  auto svc = f.Service(admin);
  auto r = svc.Get("/credentials/status/market/revocation/0");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->content_type == "application/vc+ld+json");
  const json c = json::parse(r->body);
  CHECK(c["id"] == "http://127.0.0.1:7201/credentials/status/market/revocation/0");
  CHECK(proof::vc::VerifyProof(c, admin.public_key()).ok());
  CHECK(c["evidence"][0]["statusHeight"] == 10);
  auto bits = proof::vc::DecodeStatusList(c);
  REQUIRE(bits.ok());
  CHECK_FALSE(proof::vc::ListBit(*bits, 0));
  CHECK(proof::vc::ListBit(*bits, 1));
  CHECK_FALSE(proof::vc::ListBit(*bits, 2));
  // The head and the three licences: L2, issued in block 10, is in the
  // certified state after block 10.
  CHECK(f.proofs == 4);
  auto s = svc.Get("/credentials/status/market/suspension/0");
  REQUIRE(s);
  auto sbits = proof::vc::DecodeStatusList(json::parse(s->body));
  REQUIRE(sbits.ok());
  CHECK_FALSE(proof::vc::ListBit(*sbits, 1));
}

TEST_CASE("credential service: refusals say why and serve nothing unsigned",
          "[node][credentials]") {
  REQUIRE(crypto::Init().ok());
  Fake f;
  auto svc = f.Service(f.net.admin_keys.at("market"));
  auto other = svc.Get("/credentials/status/police/revocation/0");
  REQUIRE(other);
  CHECK(other->status == 404);
  CHECK_THAT(other->body, Catch::Contains("org 'police' has published no revocation list 0"));
  for (const char* path :
       {"/credentials/status/market/expiry/0", "/credentials/status/market/revocation/x",
        "/credentials/status/market/revocation/01", "/credentials/status/market/revocation",
        "/credentials/status/nobody/revocation/0"}) {
    INFO(path);
    auto r = svc.Get(path);
    REQUIRE(r);
    CHECK(r->status == 404);
  }
  CHECK_FALSE(svc.Get("/metrics"));
  auto keyless = f.Service(std::nullopt);
  CHECK(keyless.Get("/credentials/status/market/revocation/0")->status == 404);
  auto early = f.Service(f.net.admin_keys.at("market"), /*certified=*/false);
  CHECK(early.Get("/credentials/status/market/revocation/0")->status == 503);
  auto ctx = svc.Get("/credentials/contexts/licence/v1");
  REQUIRE(ctx);
  CHECK(ctx->body == proof::vc::LicenceContext());
}

TEST_CASE("web assets: the verification page's files, byte for byte", "[node][web]") {
  for (const char* name : {"index.html", "page.js", "verifier.js", "style.css"}) {
    std::ifstream in(std::string(LICENCED_SOURCE_DIR) + "/web/verify/" + name, std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    const web::WebAsset* a = web::FindWebAsset(std::string("/verify/") + name);
    REQUIRE(a != nullptr);
    CHECK(a->body == ss.str());
  }
  CHECK(web::FindWebAsset("/verify/") == web::FindWebAsset("/verify/index.html"));
  CHECK(web::FindWebAsset("/verify") == web::FindWebAsset("/verify/index.html"));
  CHECK(web::FindWebAsset("/verify/../etc/passwd") == nullptr);
  CHECK(
      std::string(web::FindWebAsset("/verify/page.js")->content_type).rfind("text/javascript", 0) ==
      0);
}

TEST_CASE("credential service: another org's published list, while it equals the ledger",
          "[node][credentials]") {
  REQUIRE(crypto::Init().ok());
  Fake f;
  auto svc = f.Service(f.net.admin_keys.at("market"));
  const json police = f.Publish("police");
  auto r = svc.Get("/credentials/status/police/revocation/0");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(json::parse(r->body) == police);
  CHECK(proof::vc::VerifyProof(json::parse(r->body), f.net.admin_keys.at("police").public_key())
            .ok());
  // A node without its own org's key serves its org's published list the same way.
  f.Publish("market", "suspension");
  auto keyless = f.Service(std::nullopt);
  CHECK(keyless.Get("/credentials/status/market/suspension/0")->status == 200);
  CHECK(keyless.Get("/credentials/status/market/revocation/0")->status == 404);

  SECTION("behind the ledger: a status changed since") {
    f.statuses["L0"].status = chaincode::LicenceStatus::kRevoked;
    auto stale = svc.Get("/credentials/status/police/revocation/0");
    CHECK(stale->status == 503);
    CHECK_THAT(stale->body, Catch::Contains("no longer matches the ledger: entry 0 is set there"));
  }
  SECTION("expired") {
    f.now += 25ull * 3600 * 1000;
    auto expired = svc.Get("/credentials/status/police/revocation/0");
    CHECK(expired->status == 503);
    CHECK_THAT(expired->body, Catch::Contains("expired at"));
  }
  SECTION("naming a block this ledger does not have") {
    f.head.timestamp_ms += 1;  // block 10 hashes differently now
    auto other = svc.Get("/credentials/status/police/revocation/0");
    CHECK(other->status == 500);
    CHECK_THAT(other->body, Catch::Contains("which is not this ledger's block"));
  }
  SECTION("a stored copy whose proof does not verify") {
    json forged = police;
    forged["validUntil"] = proof::vc::IsoTime(f.head.timestamp_ms + 48ull * 3600 * 1000);
    f.published[chaincode::PublishedStatusListKey("police", "revocation", 0)] = forged.dump();
    auto bad = svc.Get("/credentials/status/police/revocation/0");
    CHECK(bad->status == 500);
    CHECK_THAT(bad->body, Catch::Contains("proof does not verify"));
  }
}
