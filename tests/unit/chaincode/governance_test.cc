// Governance proposals (chaincode/governance.cc), the membership they change
// (chaincode/registry.h) and clerk key rotation. The dev network has four
// validator orgs (market, police, social, tax), so a proposal applies on the
// third approval; health and bank are member orgs.
#include "chaincode/exec.h"
#include "harness.h"

using namespace licenced;
using namespace licenced::chaincode;
using namespace licenced::chaincode::testing;

namespace {

crypto::KeyPair NewKey(const std::string& name) {
  return crypto::KeyPair::FromSeed(DevSeed("governance-test", name));
}

json AddOrgChange(const std::string& id, const std::string& name, const crypto::KeyPair& admin) {
  crypto::BoxKeyPair enc = crypto::BoxKeyPair::FromSeed(DevSeed("governance-test-enc", id));
  return {{"id", id},
          {"name", name},
          {"admin_keys", {ToHex(admin.public_key())}},
          {"encryption_key", ToHex(enc.public_key())}};
}

uint64_t Propose(Harness& h, const std::string& org, const std::string& kind, const json& change) {
  json p = h.Ok(h.admin(org), "governance", "propose", {{"kind", kind}, {"change", change}});
  return p["id"].get<uint64_t>();
}

json Approve(Harness& h, const std::string& org, uint64_t id) {
  return h.Ok(h.admin(org), "governance", "approve", {{"proposal", id}});
}

}  // namespace

TEST_CASE("governance: a member org added by proposal counts from the third approval",
          "[governance]") {
  Harness h;
  crypto::KeyPair housing = NewKey("housing-admin");
  const uint64_t id =
      Propose(h, "market", "add_org", AddOrgChange("housing", "Housing Bureau", housing));
  json p = h.Query("proposal", {{"proposal", id}});
  CHECK(p["status"] == "open");
  CHECK(p["approvals"].size() == 1);  // the proposer's validator org approved it
  CHECK(p["threshold"] == 3);
  CHECK_THAT(p["summary"].get<std::string>(), Catch::Contains("add member org 'housing'"));

  json after2 = Approve(h, "police", id);
  CHECK(after2["status"] == "open");
  // Not a member yet: its admin key signs nothing.
  h.Fail(
      housing, "identity", "enrol_clerk",
      {{"name", "desk"}, {"public_key", ToHex(NewKey("desk").public_key())}, {"roles", {"clerk"}}},
      StatusCode::kPermissionDenied, "neither an org admin");

  json applied = Approve(h, "social", id);
  CHECK(applied["status"] == "applied");
  CHECK(applied["applied_height"].get<uint64_t>() > 0);
  h.Ok(
      housing, "identity", "enrol_clerk",
      {{"name", "desk"}, {"public_key", ToHex(NewKey("desk").public_key())}, {"roles", {"clerk"}}});

  json gov = h.Query("governance", json::object());
  bool listed = false;
  for (const auto& o : gov["organisations"]) {
    if (o["id"] == "housing") listed = o["from_genesis"] == false;
  }
  CHECK(listed);
  // The audit trail has the proposal, each approval and the application.
  json audit = h.Query("audit", {{"subject", "gov/proposal/" + std::to_string(id)}});
  std::vector<std::string> actions;
  for (const auto& a : audit) actions.push_back(a["action"]);
  CHECK(actions == std::vector<std::string>{"propose", "approve", "approve", "approve", "apply"});
  CHECK(h.Query("proposals", {{"status", "applied"}}).size() == 1);
  CHECK(h.Query("proposals", {{"status", "open"}}).empty());
}

TEST_CASE("governance: refused proposals and approvals say why and change nothing",
          "[governance]") {
  DevNetwork net = MakeDevNetwork();
  net.genesis.governance.proposal_ttl_blocks = 5;
  Harness h(std::move(net));
  crypto::KeyPair clerk = h.Enrol("market", "desk-1", {"clerk"});
  crypto::KeyPair housing = NewKey("housing-admin");
  json change = AddOrgChange("housing", "Housing Bureau", housing);

  // Signers: clerks and replaced keys may not propose; member orgs may propose
  // but not approve.
  h.Fail(clerk, "governance", "propose", {{"kind", "add_org"}, {"change", change}},
         StatusCode::kPermissionDenied, "only an org admin");
  const uint64_t id = Propose(h, "health", "add_org", change);
  CHECK(h.Query("proposal", {{"proposal", id}})["approvals"].empty());
  h.Fail(h.admin("bank"), "governance", "approve", {{"proposal", id}},
         StatusCode::kPermissionDenied, "runs no validator");
  h.Fail(clerk, "governance", "approve", {{"proposal", id}}, StatusCode::kPermissionDenied,
         "only an org admin");
  Approve(h, "market", id);
  h.Fail(h.admin("market"), "governance", "approve", {{"proposal", id}}, StatusCode::kAlreadyExists,
         "already approved");
  h.Fail(h.admin("police"), "governance", "approve", {{"proposal", 99}}, StatusCode::kNotFound,
         "no governance proposal 99");

  // Duplicates of what exists.
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "add_org"}, {"change", AddOrgChange("police", "Another police", NewKey("x"))}},
         StatusCode::kAlreadyExists, "org 'police' already exists");
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "add_org"},
          {"change", AddOrgChange("police2", "Public Security Bureau", NewKey("y"))}},
         StatusCode::kAlreadyExists, "already named");
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "add_org"}, {"change", AddOrgChange("housing2", "Housing 2", h.admin("tax"))}},
         StatusCode::kAlreadyExists, "is already an admin key of org 'tax'");
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "add_org"}, {"change", AddOrgChange("housing3", "Housing 3", clerk)}},
         StatusCode::kAlreadyExists, "clerk 'desk-1'");

  // Validator-set changes: the four-validator floor, then no epochs yet.
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "remove_validator"}, {"change", {{"name", "tax-0"}}}},
         StatusCode::kFailedPrecondition, "would leave 3 validators");
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "add_validator"},
          {"change", {{"name", "health-0"}, {"public_key", ToHex(NewKey("v").public_key())}}}},
         StatusCode::kFailedPrecondition, "epoch change");
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "add_validator"},
          {"change", {{"name", "market-0"}, {"public_key", ToHex(NewKey("v").public_key())}}}},
         StatusCode::kAlreadyExists, "validator 'market-0' already exists");
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "add_org"},
          {"change",
           [&] {
             json c = AddOrgChange("hv", "Health validator", NewKey("hv"));
             c["runs_validator"] = true;
             return c;
           }()}},
         StatusCode::kFailedPrecondition, "epoch change");
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "make_me_king"}, {"change", json::object()}}, StatusCode::kInvalidArgument,
         "unknown governance change");
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "set_threshold"}, {"change", {{"approval_threshold", 2}}}},
         StatusCode::kInvalidArgument, "majority");

  // Expiry: the ttl is 5 blocks from the proposing block.
  const uint64_t proposed = h.Query("proposal", {{"proposal", id}})["proposed_height"];
  while (true) {
    json p = h.Ok(h.admin("market"), "system", "ping", json::object());
    if (p["height"].get<uint64_t>() >= proposed + 5) break;
  }
  h.Fail(h.admin("police"), "governance", "approve", {{"proposal", id}},
         StatusCode::kFailedPrecondition, "expired at block");

  // Already applied.
  const uint64_t id2 = Propose(h, "market", "add_org", change);
  Approve(h, "police", id2);
  Approve(h, "social", id2);
  h.Fail(h.admin("tax"), "governance", "approve", {{"proposal", id2}},
         StatusCode::kFailedPrecondition, "already applied");
}

TEST_CASE("governance: a second proposal for the same change fails when its turn comes",
          "[governance]") {
  Harness h;
  crypto::KeyPair housing = NewKey("housing-admin");
  json change = AddOrgChange("housing", "Housing Bureau", housing);
  const uint64_t a = Propose(h, "market", "add_org", change);
  const uint64_t b = Propose(h, "police", "add_org", change);
  Approve(h, "police", a);
  Approve(h, "social", a);
  Approve(h, "market", b);
  h.Fail(h.admin("social"), "governance", "approve", {{"proposal", b}}, StatusCode::kAlreadyExists,
         "org 'housing' already exists");
  CHECK(h.Query("proposal", {{"proposal", b}})["approvals"].size() == 2);
}

TEST_CASE("governance: an admin key replaced by proposal stops signing at once", "[governance]") {
  Harness h;
  crypto::KeyPair fresh = NewKey("market-admin-2");
  const crypto::KeyPair old = h.admin("market");
  const uint64_t id = Propose(h, "police", "replace_admin_key",
                              {{"org", "market"},
                               {"old_key", ToHex(old.public_key())},
                               {"new_key", ToHex(fresh.public_key())}});
  Approve(h, "social", id);
  Approve(h, "tax", id);
  h.Fail(old, "system", "ping", json::object(), StatusCode::kPermissionDenied,
         "was replaced through governance");
  json ping = h.Ok(fresh, "system", "ping", json::object());
  CHECK(ping["signer_org"] == "market");
  h.Ok(
      fresh, "identity", "enrol_clerk",
      {{"name", "desk"}, {"public_key", ToHex(NewKey("desk").public_key())}, {"roles", {"clerk"}}});
  // The old key cannot come back as anything else.
  h.Fail(h.admin("police"), "governance", "propose",
         {{"kind", "replace_admin_key"},
          {"change",
           {{"org", "police"},
            {"old_key", ToHex(h.admin("police").public_key())},
            {"new_key", ToHex(old.public_key())}}}},
         StatusCode::kAlreadyExists, "replaced admin key");
  h.Fail(h.admin("police"), "governance", "propose",
         {{"kind", "replace_admin_key"},
          {"change",
           {{"org", "market"},
            {"old_key", ToHex(old.public_key())},
            {"new_key", ToHex(NewKey("z").public_key())}}}},
         StatusCode::kNotFound, "is not an admin key of org 'market'");
}

TEST_CASE("governance: issuer rights, holidays and the threshold change by proposal",
          "[governance]") {
  Harness h;
  crypto::KeyPair cards = h.Enrol("health", "cards", {"licensing"});
  json clear = {{"type", "SSC"},
                {"holder_key", std::string(64, 'a')},
                {"holder_code_type", "resident_id"},
                {"holder_code", {{"value", "11010519491231002X"}, {"salt", std::string(32, '1')}}},
                {"fields", {{"name", {{"value", "Li Si"}, {"salt", std::string(32, '2')}}}}},
                {"jurisdiction", "370102"}};
  auto prepared = PrepareIssueLicence(
      clear, [](size_t n) { return Bytes(n, 9); }, kThursday10am);
  REQUIRE(prepared.ok());
  const json issue = prepared->args;
  h.Fail(cards, "licence", "issue", issue, StatusCode::kPermissionDenied, "may not issue");
  uint64_t id =
      Propose(h, "social", "set_issuers", {{"type", "SSC"}, {"issuer_orgs", {"social", "health"}}});
  Approve(h, "market", id);
  Approve(h, "tax", id);
  h.Ok(cards, "licence", "issue", issue);
  h.Fail(h.admin("social"), "governance", "propose",
         {{"kind", "set_issuers"}, {"change", {{"type", "SSC"}, {"issuer_orgs", {"nobody"}}}}},
         StatusCode::kNotFound, "no organisation 'nobody'");

  id = Propose(h, "market", "set_holidays", {{"holidays", {"2026-11-27", "2026-11-30"}}});
  Approve(h, "police", id);
  Approve(h, "tax", id);
  CHECK(h.Query("governance", json::object())["holidays"] ==
        json::array({"2026-11-27", "2026-11-30"}));
  h.Fail(h.admin("market"), "governance", "propose",
         {{"kind", "set_holidays"}, {"change", {{"holidays", {"2026-11-30", "2026-11-27"}}}}},
         StatusCode::kInvalidArgument, "sorted");

  id = Propose(h, "market", "set_threshold", {{"approval_threshold", 4}});
  Approve(h, "police", id);
  Approve(h, "tax", id);
  CHECK(h.Query("governance", json::object())["approval_threshold"] == 4);
  id = Propose(h, "market", "set_holidays", json{{"holidays", json::array()}});
  Approve(h, "police", id);
  CHECK(Approve(h, "tax", id)["status"] == "open");
  CHECK(Approve(h, "social", id)["status"] == "applied");
  // Newest first; `limit` keeps the newest.
  json newest = h.Query("proposals", {{"limit", 2}});
  REQUIRE(newest.size() == 2);
  CHECK(newest[0]["id"] == id);
  CHECK(newest[1]["id"] == id - 1);
  CHECK(h.Query("proposals", json::object()).size() == 4);
}

TEST_CASE("governance: holidays set by proposal move a case's due date", "[governance]") {
  // The calendar over two holiday lists: Thursday + 1 working day is Friday,
  // or the next Monday once that Friday is a holiday.
  const Genesis& g = MakeDevNetwork().genesis;
  CHECK(DueAfterWorkingDays(g, kThursday10am, 1) == kThursday10am + kDayMs);
  CHECK(DueAfterWorkingDays(g, std::vector<std::string>{"2026-11-27"}, kThursday10am, 1) ==
        kThursday10am + 4 * kDayMs);
  // A case opened after a set_holidays proposal applied is due by the list in force.
  Harness before;
  crypto::KeyPair w1 = before.Enrol("market", "window-1", {"window"});
  const std::string c1 = before.OpenFromExample(w1, "enterprise-application.json").first;
  const uint64_t due_genesis = before.Query("case", {{"case_id", c1}})["due_ms"];

  Harness after;
  const uint64_t id =
      Propose(after, "market", "set_holidays", {{"holidays", {"2026-11-27", "2026-11-30"}}});
  Approve(after, "police", id);
  Approve(after, "tax", id);
  crypto::KeyPair w2 = after.Enrol("market", "window-1", {"window"});
  const std::string c2 = after.OpenFromExample(w2, "enterprise-application.json").first;
  const uint64_t due_governed = after.Query("case", {{"case_id", c2}})["due_ms"];
  const json kase = after.Query("case", {{"case_id", c2}});
  const uint32_t days = kase["due_working_days"];
  CHECK(due_genesis == DueAfterWorkingDays(g, kThursday10am, days));
  CHECK(due_governed == DueAfterWorkingDays(g, std::vector<std::string>{"2026-11-27", "2026-11-30"},
                                            kThursday10am, days));
  CHECK(due_governed > due_genesis);  // two working days fewer in the span
}

TEST_CASE("identity: a clerk rotates its key, the old key is suspended, tasks stay the clerk's",
          "[identity]") {
  Harness h;
  crypto::KeyPair old = h.Enrol("market", "desk-1", {"clerk", "window"});
  crypto::KeyPair fresh = NewKey("desk-1-new");
  json r = h.Ok(old, "identity", "rotate_key", {{"new_public_key", ToHex(fresh.public_key())}});
  CHECK(r["status"] == "active");
  CHECK(r["rotated_from"] == ToHex(old.public_key()));
  h.Fail(old, "system", "ping", json::object(), StatusCode::kPermissionDenied, "is suspended");
  h.Ok(fresh, "system", "ping", json::object());
  json was = h.Query("clerk", {{"public_key", ToHex(old.public_key())}});
  CHECK(was["status"] == "suspended");
  CHECK(was["replaced_by"] == ToHex(fresh.public_key()));
  h.Fail(h.admin("market"), "identity", "restore_clerk", {{"public_key", ToHex(old.public_key())}},
         StatusCode::kFailedPrecondition, "was rotated");
  h.Fail(fresh, "identity", "rotate_key", {{"new_public_key", ToHex(h.admin("tax").public_key())}},
         StatusCode::kAlreadyExists, "admin key of org 'tax'");
  h.Fail(h.admin("market"), "identity", "rotate_key",
         {{"new_public_key", ToHex(NewKey("q").public_key())}}, StatusCode::kPermissionDenied,
         "through governance");
  // Rotation chains are followed for claimed tasks.
  MemStateView s;
  auto put = [&](const std::string& key, const json& v) {
    s.Put("clerk/" + key, ToBytes(v.dump()));
  };
  put("a", {{"replaced_by", "b"}});
  put("b", {{"replaced_by", "c"}});
  put("c", json::object());
  CHECK(IsSameClerk(s, "a", "c"));
  CHECK(IsSameClerk(s, "c", "c"));
  CHECK_FALSE(IsSameClerk(s, "c", "a"));
  CHECK_FALSE(IsSameClerk(s, "x", "c"));
}
