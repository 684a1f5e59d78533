// The enterprise-opening flow driven through chaincode::Engine alone, with the
// example files under examples/, and each of its rejection paths.
#include "harness.h"

using namespace licenced;
using namespace licenced::chaincode;
using namespace licenced::chaincode::testing;

namespace {

struct Clerks {
  crypto::KeyPair window, market, police, engraver, social, tax, bank;
};

Clerks EnrolAll(Harness& h) {
  return {h.Enrol("market", "window-1", {"window"}),
          h.Enrol("market", "approver-1", {"clerk"}),
          h.Enrol("police", "seal-desk-1", {"clerk"}),
          h.Enrol("police", "Jinan Seal Engraving Co.", {"engraver"}),
          h.Enrol("social", "employer-desk-1", {"clerk"}),
          h.Enrol("tax", "taxpayer-desk-1", {"clerk"}),
          h.Enrol("bank", "Qilu Bank Hi-tech branch", {"clerk"})};
}

json Complete(Harness& h, const crypto::KeyPair& clerk, const std::string& case_id,
              const std::string& step) {
  json args = ExampleJson("enterprise-" + step + ".json");
  args["task_id"] = case_id + "/" + step;
  return h.Ok(clerk, "workflow", "complete", args);
}

std::vector<std::string> InboxIds(Harness& h, const std::string& org) {
  std::vector<std::string> ids;
  for (const auto& t : h.Query("inbox", {{"org", org}})) ids.push_back(t["task_id"]);
  return ids;
}

}  // namespace

TEST_CASE("enterprise flow runs to completion from the example files", "[flow][enterprise]") {
  Harness h;
  Clerks c = EnrolAll(h);
  auto [id, secrets] = h.OpenFromExample(c.window, "enterprise-application.json");
  CHECK(id == "ENT-2026-000001");
  json kase = h.Query("case", {{"case_id", id}});
  CHECK(kase["status"] == "open");
  // Due in 1 working day: Thursday 10:00 -> Friday 10:00.
  CHECK(kase["due_ms"] == kThursday10am + kDayMs);
  CHECK(kase["overdue"] == false);
  // Nothing personal in clear in the case record.
  std::string dump = kase.dump();
  CHECK(dump.find("Zhao Yichun") == std::string::npos);
  CHECK(dump.find("370102198506120033") == std::string::npos);
  CHECK(kase["commitments"]["legal_rep_id"] ==
        ToHex(FieldCommitment("legal_rep_id", "370102198506120033",
                              *FromHex(secrets["legal_rep_id"]["salt"].get<std::string>()))));
  CHECK(InboxIds(h, "market") == std::vector<std::string>{id + "/business_licence"});
  CHECK(InboxIds(h, "police").empty());

  // Each receiving org can open exactly its own sealed box, holding its minimal data set.
  json police_box = h.Query("sealed", {{"case_id", id}, {"org", "police"}});
  REQUIRE(police_box.size() == 1);
  auto opened = OpenSealed(h.net().encryption_keys.at("police"),
                           police_box[0]["ciphertext"].get<std::string>());
  REQUIRE(opened.ok());
  CHECK((*opened)["legal_rep_id"]["value"] == "370102198506120033");
  CHECK_FALSE(opened->contains("finance_officer_id"));
  CHECK_FALSE(
      OpenSealed(h.net().encryption_keys.at("tax"), police_box[0]["ciphertext"].get<std::string>())
          .ok());

  json bl = Complete(h, c.market, id, "business_licence");
  std::string credit_code = bl["outputs"]["credit_code"];
  CHECK(ValidateCreditCode(credit_code).ok());
  CHECK(credit_code.substr(0, 8) == "91370102");
  std::string licence_id = bl["outputs"]["licence"];
  CHECK(ParseLicenceIdentifier(licence_id).ok());
  json lic = h.Query("licence", {{"identifier", licence_id}});
  CHECK(lic["status"] == "valid");
  CHECK(lic["record"]["holder_code"] == credit_code);
  CHECK(lic["record"]["issuer_org"] == "market");
  CHECK(lic["record"]["case_id"] == id);
  CHECK(lic["record"]["commitments"].contains("legal_rep_name"));
  CHECK(lic["state_key"] == "licence/status/" + licence_id);
  CHECK(lic["record"]["issuing_tx"].get<std::string>().size() == 64);

  CHECK(InboxIds(h, "police") == std::vector<std::string>{id + "/seal_filing"});
  CHECK(InboxIds(h, "social") == std::vector<std::string>{id + "/social_security"});
  CHECK(InboxIds(h, "tax") == std::vector<std::string>{id + "/taxpayer"});
  CHECK(InboxIds(h, "market").empty());

  h.Ok(c.police, "workflow", "claim", {{"task_id", id + "/seal_filing"}});
  json filing = Complete(h, c.police, id, "seal_filing");
  CHECK(filing["outputs"]["filings"].size() == 3);
  CHECK(filing["outputs"]["filings"][0]["filing_number"] == "3701022026000001");
  Complete(h, c.engraver, id, "seal_engraving");
  Complete(h, c.social, id, "social_security");
  Complete(h, c.tax, id, "taxpayer");
  CHECK(InboxIds(h, "bank") == std::vector<std::string>{id + "/bank_account"});
  json done = Complete(h, c.bank, id, "bank_account");
  CHECK(done["case_status"] == "completed");

  kase = h.Query("case", {{"case_id", id}});
  CHECK(kase["status"] == "completed");
  CHECK(kase["late"] == false);
  for (const auto& t : kase["tasks"]) CHECK(t["status"] == "done");
  // Audit trail: who, what, when, which block.
  json audit = h.Query("audit", {{"subject", "case/" + id}});
  REQUIRE(audit.size() == 9);  // open + claim + 6 completions + case_completed
  CHECK(audit[0]["action"] == "open_case");
  CHECK(audit[0]["actor_org"] == "market");
  CHECK(audit[1]["action"] == "complete");
  CHECK(audit[2]["action"] == "claim");
  CHECK(audit[2]["actor_name"] == "seal-desk-1");
  CHECK(audit[2]["height"].get<uint64_t>() > audit[1]["height"].get<uint64_t>());
  // Inbox events reached the right audiences.
  int ready_for_bank = 0;
  for (const auto& ev : h.events()) {
    if (ev.kind == "task_ready" && ev.orgs == std::vector<std::string>{"bank"}) ++ready_for_bank;
  }
  CHECK(ready_for_bank == 1);
  CHECK(h.Query("cases", {{"flow", "enterprise"}}).size() == 1);
  // No personal value in clear in any transaction (what the blocks keep).
  REQUIRE(h.tx_bytes().size() > 10);
  std::vector<std::string> needles;
  const json app = ExampleJson("enterprise-application.json");
  for (const auto& [f, v] : app["private"].items()) {
    needles.push_back(v.get<std::string>());
  }
  CHECK(needles.size() == 7);
  CHECK(h.FoundInTxs(needles).empty());
  // The scan does find a value sent in clear (the chaincode rejects such a tx,
  // but a block would keep it: hence the client-side checks).
  json leaky = ExampleJson("enterprise-application.json");
  h.Fail(c.window, "workflow", "open_case", leaky, StatusCode::kInvalidArgument,
         "must not go on the ledger");
  CHECK(h.FoundInTxs(needles).size() == 7);
}

TEST_CASE("enterprise flow rejections change nothing", "[flow][enterprise]") {
  Harness h;
  Clerks c = EnrolAll(h);
  auto prepared = PrepareOpenCase(h.net().genesis, ReadExample("enterprise-application.json"),
                                  h.RandomSource(), h.now());
  REQUIRE(prepared.ok());
  json good = prepared->args;

  SECTION("wrong org and wrong role at the window") {
    h.Fail(c.police, "workflow", "open_case", good, StatusCode::kPermissionDenied, "no window");
    h.Fail(c.market, "workflow", "open_case", good, StatusCode::kPermissionDenied,
           "lacks role 'window'");
  }
  SECTION("bad identifiers, impossible dates, missing fields: the client refuses them") {
    // Private values never reach the chaincode, so the window client validates
    // them with the same identifier checks before anything is signed.
    auto prepare = [&](const json& app) {
      return PrepareOpenCase(h.net().genesis, app.dump(), h.RandomSource(), h.now());
    };
    auto expect_client_error = [&](const json& app, const std::string& needle) {
      auto r = prepare(app);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kInvalidArgument);
      CHECK_THAT(r.status().message(), Catch::Contains(needle));
    };
    json app = ExampleJson("enterprise-application.json");
    json a = app;
    a["private"]["legal_rep_id"] = "370102198506120034";
    expect_client_error(a, "private.legal_rep_id: ");
    expect_client_error(a, "wrong check character");
    a = app;
    std::string bad_date = "37010219850230003";
    a["private"]["finance_officer_id"] = bad_date + *ResidentIdCheckChar(bad_date);
    expect_client_error(a, "not a real date");
    a = app;
    a["private"]["legal_rep_id"] = "370102203006120033";  // born after today
    expect_client_error(a, "private.legal_rep_id");
    a = app;
    a["private"].erase("address");
    expect_client_error(a, "private.address: missing");
    a = app;
    a["private"]["nickname"] = "x";
    expect_client_error(a, "not a private field");
    a = app;
    a["private"]["legal_rep_name"] = 7;
    expect_client_error(a, "expected a string");
  }
  SECTION("the chaincode checks the public fields and the commitments' form") {
    json a = good;
    a["commitments"].erase("address");
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "commitments.address: missing");
    a = good;
    a["commitments"]["legal_rep_id"] = "370102198506120033";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "commitments.legal_rep_id: expected a commitment, 64 lower-case hex");
    a = good;
    a["commitments"]["nickname"] = std::string(64, 'a');
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "not a private field");
    a = good;
    a.erase("commitments");
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "commitments: missing");
    a = good;
    a["dedup"] = "Jinan Quanyong Software Co., Ltd.";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "dedup");
    a = good;
    a.erase("dedup");
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "dedup: missing");
    // Personal values in clear are refused outright, wherever they are.
    a = good;
    a["private"] = {{"legal_rep_id", "370102198506120033"}};
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "private: personal values must not go on the ledger");
    a = good;
    a["public"]["note"] = {{"value", "Zhao Yichun"}, {"salt", std::string(32, '1')}};
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "public.note: a {\"value\", \"salt\"} pair must not go on the ledger");
    a = good;
    a["public"].erase("seals");
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "seals: missing");
    a = good;
    a["public"]["region_code"] = "99010";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "region_code");
    a = good;
    a["holder_key"] = "zz";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "holder_key");
  }
  SECTION("sealed hand-over must be exactly the minimal data set") {
    json a = good;
    a["sealed"]["police"]["fields"].push_back("finance_officer_id");
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "minimal data set");
    a = good;
    a["sealed"]["tax"]["sha256"] = std::string(64, '0');
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "sha256");
    a = good;
    a["sealed"]["health"] = a["sealed"]["bank"];
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "does not receive");
    a = good;
    a["sealed"].erase("bank");
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "sealed.bank: missing");
  }
  SECTION("duplicate case, steps out of order, wrong org and role on tasks") {
    std::string id = h.Ok(c.window, "workflow", "open_case", good)["case_id"];
    auto again = PrepareOpenCase(h.net().genesis, ReadExample("enterprise-application.json"),
                                 h.RandomSource(), h.now());
    h.Fail(c.window, "workflow", "open_case", again->args, StatusCode::kAlreadyExists, id);
    h.Fail(c.police, "workflow", "complete", {{"task_id", id + "/seal_filing"}},
           StatusCode::kFailedPrecondition, "step out of order");
    h.Fail(c.bank, "workflow", "claim", {{"task_id", id + "/bank_account"}},
           StatusCode::kFailedPrecondition, "business_licence, seal_engraving");
    h.Fail(c.police, "workflow", "complete", {{"task_id", id + "/business_licence"}},
           StatusCode::kPermissionDenied, "needs a clerk of 'market'");
    h.Fail(c.window, "workflow", "complete", {{"task_id", id + "/business_licence"}},
           StatusCode::kPermissionDenied, "lacks role 'clerk'");
    h.Fail(c.market, "workflow", "complete", {{"task_id", id + "/no_such_step"}},
           StatusCode::kNotFound);
    h.Fail(c.market, "workflow", "complete", {{"task_id", "ENT-2026-999999/business_licence"}},
           StatusCode::kNotFound);
    // Claimed by someone else.
    crypto::KeyPair other = h.Enrol("market", "approver-2", {"clerk"});
    h.Ok(c.market, "workflow", "claim", {{"task_id", id + "/business_licence"}});
    h.Fail(other, "workflow", "complete", {{"task_id", id + "/business_licence"}},
           StatusCode::kFailedPrecondition, "claimed by approver-1");
    Complete(h, c.market, id, "business_licence");
    h.Fail(c.market, "workflow", "complete", {{"task_id", id + "/business_licence"}},
           StatusCode::kFailedPrecondition, "already done");
    Complete(h, c.police, id, "seal_filing");
    // Only an engraver enrolled by police may engrave.
    h.Fail(c.police, "workflow", "complete", {{"task_id", id + "/seal_engraving"}},
           StatusCode::kPermissionDenied, "engraver");
    json wrong = {{"task_id", id + "/seal_engraving"},
                  {"outputs", {{"filing_numbers", {"3701022026000001"}}}}};
    h.Fail(c.engraver, "workflow", "complete", wrong, StatusCode::kInvalidArgument, "filed seals");
    Complete(h, c.engraver, id, "seal_engraving");
    json bad_acct = {{"task_id", id + "/bank_account"}, {"outputs", {{"account_number", "12AB"}}}};
    h.Fail(c.bank, "workflow", "complete", bad_acct, StatusCode::kInvalidArgument,
           "account_number");
    h.Fail(c.bank, "workflow", "complete", {{"task_id", id + "/bank_account"}},
           StatusCode::kInvalidArgument, "outputs.account_number: missing");
    // A suspended clerk can do nothing.
    h.Ok(h.admin("bank"), "identity", "suspend_clerk",
         {{"public_key", ToHex(c.bank.public_key())}, {"reason", "on leave"}});
    h.Fail(c.bank, "workflow", "complete", {{"task_id", id + "/bank_account"}},
           StatusCode::kPermissionDenied, "suspended");
  }
  SECTION("use of a revoked licence") {
    std::string id = h.Ok(c.window, "workflow", "open_case", good)["case_id"];
    std::string bl = Complete(h, c.market, id, "business_licence")["outputs"]["licence"];
    crypto::KeyPair licensing = h.Enrol("market", "licensing-1", {"licensing"});
    h.Ok(licensing, "licence", "revoke", {{"identifier", bl}, {"reason", "false statements"}});
    h.Fail(c.police, "workflow", "complete", {{"task_id", id + "/seal_filing"}},
           StatusCode::kFailedPrecondition, "is revoked (false statements)");
    CHECK(h.Query("licence_status", {{"identifier", bl}})["status"] == "revoked");
  }
  SECTION("reject with a reason ends the case and allows a corrected application") {
    std::string id = h.Ok(c.window, "workflow", "open_case", good)["case_id"];
    h.Fail(c.market, "workflow", "reject", {{"task_id", id + "/business_licence"}},
           StatusCode::kInvalidArgument, "reason: missing");
    h.Ok(c.market, "workflow", "reject",
         {{"task_id", id + "/business_licence"}, {"reason", "business scope needs a permit"}});
    json kase = h.Query("case", {{"case_id", id}});
    CHECK(kase["status"] == "rejected");
    CHECK(kase["rejection"]["reason"] == "business scope needs a permit");
    CHECK(kase["rejection"]["org"] == "market");
    CHECK(h.Query("inbox", {{"org", "market"}}).empty());
    h.Fail(c.market, "workflow", "complete", {{"task_id", id + "/business_licence"}},
           StatusCode::kFailedPrecondition, "is rejected");
    auto again = PrepareOpenCase(h.net().genesis, ReadExample("enterprise-application.json"),
                                 h.RandomSource(), h.now());
    CHECK(h.Ok(c.window, "workflow", "open_case", again->args)["case_id"] == "ENT-2026-000002");
  }
  SECTION("malformed transactions") {
    h.Fail(c.window, "workflow", "open_case", json::array(), StatusCode::kInvalidArgument,
           "JSON object");
    h.Fail(c.window, "workflow", "no_such_method", json::object(), StatusCode::kInvalidArgument,
           "unknown method");
    h.Fail(c.window, "nothing", "open_case", good, StatusCode::kInvalidArgument,
           "unknown chaincode");
    json a = good;
    a["public"]["employees"] = "many";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "employees");
    Transaction tx;
    tx.network_id = "other-net";
    tx.chaincode = "workflow";
    tx.method = "open_case";
    tx.args = ToBytes(good.dump());
    tx.SignWith(c.window);
    CHECK(h.SubmitTx(tx).status.code() == StatusCode::kInvalidArgument);
    tx.network_id = h.net().genesis.network_id;
    tx.SignWith(c.window);
    tx.nonce += 1;  // signature no longer covers the body
    CHECK(h.SubmitTx(tx).status.code() == StatusCode::kPermissionDenied);
    crypto::KeyPair stranger = crypto::KeyPair::FromSeed(DevSeed("stranger", "x"));
    h.Fail(stranger, "workflow", "open_case", good, StatusCode::kPermissionDenied, "neither");
  }
}

TEST_CASE("enterprise flow with an expired licence, then renewal", "[flow][enterprise][licence]") {
  DevNetwork net = MakeDevNetwork();
  for (auto& t : net.genesis.licence_types) {
    if (t.code == "BL") t.validity_days = 1;
  }
  Harness h(std::move(net));
  Clerks c = EnrolAll(h);
  auto [id, secrets] = h.OpenFromExample(c.window, "enterprise-application.json");
  std::string bl = Complete(h, c.market, id, "business_licence")["outputs"]["licence"];
  json lic = h.Query("licence", {{"identifier", bl}});
  CHECK(lic["record"]["valid_until"] == "2026-11-26");
  h.Advance(kDayMs);  // Friday 10:00: the validity ended at midnight
  CHECK(h.Query("licence_status", {{"identifier", bl}})["status"] == "expired");
  CHECK(h.Query("licence_status", {{"identifier", bl}})["stored_status"] == "valid");
  h.Fail(c.police, "workflow", "complete", {{"task_id", id + "/seal_filing"}},
         StatusCode::kFailedPrecondition, "is expired");
  crypto::KeyPair licensing = h.Enrol("market", "licensing-1", {"licensing"});
  h.Fail(licensing, "licence", "suspend", {{"identifier", bl}, {"reason", "x"}},
         StatusCode::kFailedPrecondition, "expired");
  json renewed =
      h.Ok(licensing, "licence", "renew", {{"identifier", bl}, {"valid_until", "2027-11-26"}});
  std::string v2 = renewed["identifier"];
  CHECK(ParseLicenceIdentifier(v2)->version == 2);
  CHECK(renewed["record"]["replaces"] == bl);
  json old = h.Query("licence_status", {{"identifier", bl}});
  CHECK(old["status"] == "cancelled");
  CHECK(old["replaced_by"] == v2);
  // The case's licence reference follows the renewal.
  Complete(h, c.police, id, "seal_filing");
  // The case is now overdue (due Friday 10:00, now later).
  h.Advance(kHourMs);
  json kase = h.Query("case", {{"case_id", id}});
  CHECK(kase["overdue"] == true);
  CHECK(h.Query("cases", {{"overdue", true}}).size() == 1);
  json inbox = h.Query("inbox", {{"org", "police"}});
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0]["overdue"] == true);
}

TEST_CASE("the same transactions give the same state (determinism)", "[flow][enterprise]") {
  auto run = []() {
    Harness h;
    Clerks c = EnrolAll(h);
    auto [id, secrets] = h.OpenFromExample(c.window, "enterprise-application.json");
    Complete(h, c.market, id, "business_licence");
    Complete(h, c.police, id, "seal_filing");
    return h.state();
  };
  MemStateView a = run();
  MemStateView b = run();
  CHECK(a.size() > 20);
  // Sealed boxes use fresh randomness (client side), so compare everything else.
  auto strip = [](const MemStateView& s) {
    std::map<std::string, Bytes> m;
    for (const auto& [k, v] : s.entries()) {
      if (k.rfind("sealed/", 0) == 0 || k.rfind("case/", 0) == 0 || k.rfind("audit/", 0) == 0)
        continue;
      m[k] = v;
    }
    return m;
  };
  CHECK(strip(a) == strip(b));
}
