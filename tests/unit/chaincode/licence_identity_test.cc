// Licence registry, clerk identities and the working-day calendar.
#include "chaincode/exec.h"
#include "core/canonical_json.h"
#include "harness.h"

using namespace licenced;
using namespace licenced::chaincode;
using namespace licenced::chaincode::testing;

namespace {
// licence.issue as a licensing clerk writes it, with clear values ...
json ClearIssueArgs(const std::string& type) {
  return {{"type", type},
          {"holder_key", std::string(64, 'a')},
          {"holder_code_type", "resident_id"},
          {"holder_code", {{"value", "11010519491231002X"}, {"salt", std::string(32, '1')}}},
          {"fields", {{"name", {{"value", "Li Si"}, {"salt", std::string(32, '2')}}}}},
          {"jurisdiction", "370102"}};
}
// ... and as the client sends it: commitments only.
json IssueArgs(const std::string& type) {
  auto p = PrepareIssueLicence(
      ClearIssueArgs(type), [](size_t n) { return Bytes(n, 9); }, kThursday10am);
  REQUIRE(p.ok());
  return p->args;
}
}  // namespace

TEST_CASE("clerk enrolment, suspension, restore, removal", "[identity]") {
  Harness h;
  crypto::KeyPair k = h.Enrol("market", "window-1", {"window"});
  json clerk = h.Query("clerk", {{"public_key", ToHex(k.public_key())}});
  CHECK(clerk["org"] == "market");
  CHECK(clerk["status"] == "active");
  std::string key = ToHex(k.public_key());
  json again = {{"name", "x"}, {"public_key", key}, {"roles", {"clerk"}}};
  h.Fail(h.admin("market"), "identity", "enrol_clerk", again, StatusCode::kAlreadyExists,
         "already enrolled");
  h.Fail(k, "identity", "enrol_clerk",
         {{"name", "x"}, {"public_key", std::string(64, 'b')}, {"roles", {"clerk"}}},
         StatusCode::kPermissionDenied, "only an org admin");
  h.Fail(h.admin("market"), "identity", "enrol_clerk",
         {{"name", "x"}, {"public_key", std::string(64, 'b')}, {"roles", {"engraver"}}},
         StatusCode::kPermissionDenied, "police");
  h.Fail(h.admin("market"), "identity", "enrol_clerk",
         {{"name", "x"}, {"public_key", std::string(64, 'b')}, {"roles", {"boss"}}},
         StatusCode::kInvalidArgument, "unknown role");
  h.Fail(h.admin("market"), "identity", "enrol_clerk",
         {{"name", "x"}, {"public_key", std::string(64, 'b')}}, StatusCode::kInvalidArgument,
         "roles: missing");
  // Another org's admin cannot touch market's clerk.
  h.Fail(h.admin("police"), "identity", "suspend_clerk", {{"public_key", key}, {"reason", "x"}},
         StatusCode::kPermissionDenied, "belongs to org 'market'");
  h.Ok(h.admin("market"), "identity", "suspend_clerk", {{"public_key", key}, {"reason", "audit"}});
  h.Fail(h.admin("market"), "identity", "suspend_clerk", {{"public_key", key}, {"reason", "x"}},
         StatusCode::kFailedPrecondition, "not active");
  auto prepared = PrepareOpenCase(h.net().genesis, ReadExample("enterprise-application.json"),
                                  h.RandomSource(), h.now());
  h.Fail(k, "workflow", "open_case", prepared->args, StatusCode::kPermissionDenied, "suspended");
  h.Ok(h.admin("market"), "identity", "restore_clerk", {{"public_key", key}});
  h.Ok(k, "workflow", "open_case", prepared->args);
  h.Ok(h.admin("market"), "identity", "remove_clerk", {{"public_key", key}, {"reason", "left"}});
  h.Fail(k, "workflow", "claim", {{"task_id", "ENT-2026-000001/business_licence"}},
         StatusCode::kPermissionDenied, "removed");
  h.Fail(h.admin("market"), "identity", "restore_clerk", {{"public_key", key}},
         StatusCode::kFailedPrecondition);
  h.Enrol("police", "engraver-1", {"engraver"});
  CHECK(h.Query("clerks", {{"org", "market"}}).size() == 1);
  CHECK(h.Query("clerks", json::object()).size() == 2);
  CHECK(h.Query("audit", {{"subject", "clerk/" + key}}).size() == 4);
}

TEST_CASE("licence registry: issue and every status transition", "[licence]") {
  Harness h;
  crypto::KeyPair social = h.Enrol("social", "cards-1", {"licensing"});
  crypto::KeyPair social_clerk = h.Enrol("social", "desk-1", {"clerk"});
  crypto::KeyPair police = h.Enrol("police", "lic-1", {"licensing"});
  h.Fail(police, "licence", "issue", IssueArgs("SSC"), StatusCode::kPermissionDenied,
         "may not issue");
  h.Fail(social_clerk, "licence", "issue", IssueArgs("SSC"), StatusCode::kPermissionDenied,
         "licensing");
  // A bad ID number is refused by the client, before anything is signed.
  json clear = ClearIssueArgs("SSC");
  clear["holder_code"]["value"] = "110105194912310021";
  auto refused = PrepareIssueLicence(
      clear, [](size_t n) { return Bytes(n, 9); }, kThursday10am);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("holder_code: resident ID"));
  clear["holder_code"] = "11010519491231002X";  // a bare value gets a fresh salt
  auto prepared = PrepareIssueLicence(
      clear, [](size_t n) { return Bytes(n, 9); }, kThursday10am);
  REQUIRE(prepared.ok());
  CHECK(prepared->secrets["holder_code"]["salt"] == "09090909090909090909090909090909");
  CHECK(prepared->args.dump().find("11010519491231002X") == std::string::npos);
  CHECK(prepared->args.dump().find("Li Si") == std::string::npos);
  // Clear values sent to the chaincode are refused with a clear message.
  h.Fail(social, "licence", "issue", ClearIssueArgs("SSC"), StatusCode::kInvalidArgument,
         "must not go on the ledger");
  json bad = IssueArgs("SSC");
  bad["holder_code"] = "11010519491231002X";
  h.Fail(social, "licence", "issue", bad, StatusCode::kInvalidArgument,
         "holder_code: a resident ID number must not go on the ledger in clear");
  bad = IssueArgs("SSC");
  bad["fields"] = {{"name", "Li Si"}};
  h.Fail(social, "licence", "issue", bad, StatusCode::kInvalidArgument,
         "fields: personal values must not go on the ledger");
  bad = IssueArgs("SSC");
  bad["holder_code_commitment"] = "11010519491231002X";
  h.Fail(social, "licence", "issue", bad, StatusCode::kInvalidArgument, "holder_code_commitment");
  bad = IssueArgs("SSC");
  bad["commitments"]["name"] = "Li Si";
  h.Fail(social, "licence", "issue", bad, StatusCode::kInvalidArgument,
         "commitments.name: expected a commitment");
  bad = IssueArgs("SSC");
  bad["valid_until"] = "2026-02-29";
  h.Fail(social, "licence", "issue", bad, StatusCode::kInvalidArgument, "not a real calendar date");
  bad = IssueArgs("NOPE");
  h.Fail(social, "licence", "issue", bad, StatusCode::kInvalidArgument, "unknown licence type");
  bad = IssueArgs("SSC");
  bad.erase("commitments");
  h.Fail(social, "licence", "issue", bad, StatusCode::kInvalidArgument, "commitments: missing");

  json issued = h.Ok(social, "licence", "issue", IssueArgs("SSC"));
  std::string id = issued["identifier"];
  auto parts = ParseLicenceIdentifier(id);
  REQUIRE(parts.ok());
  CHECK(parts->type_code == "SSC");
  CHECK(parts->serial == "20260000001");
  CHECK(ValidateCreditCode(parts->issuer_code).ok());
  json rec = issued["record"];
  CHECK(
      rec["commitments"]["holder_code"] ==
      ToHex(FieldCommitment("holder_code", "11010519491231002X", *FromHex(std::string(32, '1')))));
  CHECK(rec["commitments"]["name"] ==
        ToHex(FieldCommitment("name", "Li Si", *FromHex(std::string(32, '2')))));
  CHECK(h.FoundInTxs({"11010519491231002X", "Li Si"}).size() == 2);  // the refused clear tx

  CHECK(rec.dump().find("Li Si") == std::string::npos);
  CHECK(rec["valid_until"] == "2036-11-22");  // 3650 days

  // The status value in state decodes to the documented encoding.
  auto raw = h.state().Get("licence/status/" + id);
  REQUIRE(raw);
  auto st = LicenceStatusValue::Decode(*raw);
  REQUIRE(st.ok());
  CHECK(st->status == LicenceStatus::kValid);
  CHECK(st->record_hash == crypto::Sha256(*h.state().Get("licence/record/" + id)));
  CHECK(st->Encode() == *raw);
  CHECK_FALSE(LicenceStatusValue::Decode(ByteView(raw->data(), raw->size() - 1)).ok());

  auto status_of = [&]() {
    return h.Query("licence_status", {{"identifier", id}})["status"].get<std::string>();
  };
  h.Fail(police, "licence", "suspend", {{"identifier", id}, {"reason", "x"}},
         StatusCode::kPermissionDenied);
  h.Fail(social, "licence", "restore", {{"identifier", id}}, StatusCode::kFailedPrecondition,
         "only a suspended");
  h.Ok(social, "licence", "suspend", {{"identifier", id}, {"reason", "card lost"}});
  CHECK(status_of() == "suspended");
  h.Ok(social, "licence", "restore", {{"identifier", id}});
  CHECK(status_of() == "valid");
  h.Ok(social, "licence", "cancel", {{"identifier", id}, {"reason", "holder request"}});
  CHECK(status_of() == "cancelled");
  h.Fail(social, "licence", "revoke", {{"identifier", id}, {"reason", "x"}},
         StatusCode::kFailedPrecondition);
  h.Fail(social, "licence", "renew", {{"identifier", id}}, StatusCode::kFailedPrecondition,
         "cancelled");
  h.Fail(social, "licence", "suspend", {{"identifier", id + "X"}, {"reason", "x"}},
         StatusCode::kInvalidArgument);
  std::string other = h.Ok(social, "licence", "issue", IssueArgs("SSC"))["identifier"];
  CHECK(ParseLicenceIdentifier(other)->serial == "20260000002");
  h.Ok(social, "licence", "revoke", {{"identifier", other}, {"reason", "fraud"}});
  json s2 = h.Query("licence_status", {{"identifier", other}});
  CHECK(s2["status"] == "revoked");
  CHECK(s2["reason"] == "fraud");
  CHECK(h.Query("licences", {{"issuer_org", "social"}}).size() == 2);
  CHECK(h.Query("licences", {{"status", "revoked"}}).size() == 1);
  CHECK(h.Query("audit", {{"subject", "licence/" + id}}).size() == 4);
}

TEST_CASE("working days: weekends and genesis holidays", "[calendar]") {
  Genesis g = MakeDevNetwork().genesis;
  // Thursday 2026-11-26 10:00 +8 -> Friday.
  CHECK(DueAfterWorkingDays(g, kThursday10am, 1) == kThursday10am + kDayMs);
  // Friday -> Monday.
  CHECK(DueAfterWorkingDays(g, kThursday10am + kDayMs, 1) == kThursday10am + 4 * kDayMs);
  // Saturday -> Monday.
  CHECK(DueAfterWorkingDays(g, kThursday10am + 2 * kDayMs, 1) == kThursday10am + 4 * kDayMs);
  // Wednesday 2026-09-30 10:00 +8, with the October holidays (1, 2, 5, 6, 7) in genesis.
  uint64_t sep30 = LocalMidnightMs(g, {2026, 9, 30}) + 10 * kHourMs;
  CHECK(FormatDate(LocalDate(g, DueAfterWorkingDays(g, sep30, 1))) == "2026-10-08");
  g.holidays.clear();
  CHECK(FormatDate(LocalDate(g, DueAfterWorkingDays(g, sep30, 1))) == "2026-10-01");
  // Day boundaries are local (UTC+8): 2026-11-25T16:30Z is already the 26th.
  CHECK(FormatDate(LocalDate(g, kThursday10am - 9 * kHourMs - 30 * 60'000)) == "2026-11-26");
  CHECK(FormatDate(LocalDate(g, kThursday10am - 10 * kHourMs - 1)) == "2026-11-25");
}

TEST_CASE("queries reject bad arguments", "[query]") {
  Harness h;
  const Engine& e = h.engine();
  CHECK(e.Query("case", R"({"case_id":"ENT-2026-000001"})", h.state(), 0).status().code() ==
        StatusCode::kNotFound);
  CHECK(e.Query("nope", "{}", h.state(), 0).status().code() == StatusCode::kInvalidArgument);
  CHECK(e.Query("inbox", "{}", h.state(), 0).status().code() == StatusCode::kInvalidArgument);
  CHECK(e.Query("inbox", R"({"org":"nobody"})", h.state(), 0).status().code() ==
        StatusCode::kNotFound);
  CHECK(e.Query("licence", R"({"identifier":"1.2.156.3005.2.BL.X.1.001.A"})", h.state(), 0)
            .status()
            .code() == StatusCode::kInvalidArgument);
  CHECK(e.Query("cases", R"({"limit":"x"})", h.state(), 0).status().code() ==
        StatusCode::kInvalidArgument);
  auto flows = e.Query("flows", "", h.state(), 0);
  REQUIRE(flows.ok());
  CHECK(json::parse(*flows).size() == 2);
}

TEST_CASE("system.ping: a no-op for any org admin or active clerk", "[system]") {
  Harness h;
  MemStateView before = h.state();
  json r = h.Ok(h.admin("tax"), "system", "ping", json::object());
  CHECK(r["ok"] == true);
  CHECK(r["signer_org"] == "tax");
  CHECK(h.state() == before);  // changes nothing
  CHECK(h.events().empty());
  crypto::KeyPair k = h.Enrol("bank", "desk-1", {"clerk"});
  before = h.state();
  CHECK(h.Ok(k, "system", "ping", json::object())["signer_name"] == "desk-1");
  CHECK(h.state() == before);
  h.Fail(k, "system", "reboot", json::object(), StatusCode::kInvalidArgument, "(ping)");
  h.Ok(h.admin("bank"), "identity", "suspend_clerk",
       {{"public_key", ToHex(k.public_key())}, {"reason", "x"}});
  h.Fail(k, "system", "ping", json::object(), StatusCode::kPermissionDenied, "suspended");
  crypto::KeyPair stranger = crypto::KeyPair::FromSeed(DevSeed("stranger", "x"));
  h.Fail(stranger, "system", "ping", json::object(), StatusCode::kPermissionDenied, "neither");
}

TEST_CASE("a value with no canonical JSON form fails its transaction, nothing kept",
          "[canonical-json]") {
  // Block times are stored as integers; 2^53 ms is beyond what canonical JSON
  // writes (docs/encoding.md "Canonical JSON (state values)").
  Harness h;
  h.SetTime(uint64_t{1} << 53);
  std::string key(64, 'b');
  h.Fail(h.admin("market"), "identity", "enrol_clerk",
         {{"name", "late"}, {"public_key", key}, {"roles", {"clerk"}}},
         StatusCode::kInvalidArgument,
         "state value clerk/" + key +
             ": canonical JSON: at /enrolled_at_ms: the integer 9007199254740992 is outside "
             "-(2^53-1)..2^53-1");
  CHECK(h.state().size() == 0);
  CHECK(h.events().empty());
  // The same transaction fails the same way on another engine (validator).
  Transaction tx = Transaction::Decode(h.tx_bytes().back()).value();
  MemStateView other;
  TxOutcome again =
      Engine(h.net().genesis).Execute(tx, TxContext{1, uint64_t{1} << 53, 0, tx.Id()}, other);
  CHECK(again.status.code() == StatusCode::kInvalidArgument);
  CHECK(other.size() == 0);
  // One millisecond earlier it is stored.
  h.SetTime((uint64_t{1} << 53) - 1);
  h.Ok(h.admin("market"), "identity", "enrol_clerk",
       {{"name", "late"}, {"public_key", key}, {"roles", {"clerk"}}});
  CHECK(ToString(*h.state().Get("clerk/" + key)).find("\"enrolled_at_ms\":9007199254740991") !=
        std::string::npos);
}

TEST_CASE("every JSON value the chaincode stores is in canonical form", "[canonical-json]") {
  Harness h;
  crypto::KeyPair social = h.Enrol("social", "cards-1", {"licensing"});
  crypto::KeyPair window = h.Enrol("market", "window-1", {"window"});
  std::string id = h.Ok(social, "licence", "issue", IssueArgs("SSC"))["identifier"];
  h.Ok(social, "licence", "suspend",
       {{"identifier", id}, {"reason", "lost \"card\"\n\xe2\x82\xac"}});
  h.OpenFromExample(window, "enterprise-application.json");
  size_t checked = 0;
  for (const auto& [key, value] : h.state().entries()) {
    json j = json::parse(value.begin(), value.end(), nullptr, false);
    if (j.is_discarded() || !j.is_structured()) continue;  // binary, counters, indexes
    auto canonical = CanonicalJson(j);
    INFO(key);
    REQUIRE(canonical.ok());
    CHECK(*canonical == ToString(value));
    ++checked;
  }
  CHECK(checked >= 8);
  for (const auto& e : h.events()) {
    CHECK(*CanonicalJson(json::parse(e.payload_json)) == e.payload_json);
  }
}
