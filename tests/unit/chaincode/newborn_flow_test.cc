// The newborn-registration flow driven through chaincode::Engine alone, with
// the example files under examples/, and its rejection paths.
#include <optional>

#include "harness.h"

using namespace licenced;
using namespace licenced::chaincode;
using namespace licenced::chaincode::testing;

namespace {

struct Clerks {
  crypto::KeyPair window, hospital, police, social;
};

Clerks EnrolAll(Harness& h) {
  return {h.Enrol("health", "maternity-window", {"window"}),
          h.Enrol("health", "Shandong Provincial Hospital", {"clerk"}),
          h.Enrol("police", "household-desk-1", {"clerk"}),
          h.Enrol("social", "insurance-desk-1", {"clerk"})};
}

json StepArgs(const std::string& case_id, const std::string& step) {
  json args = ExampleJson("newborn-" + step + ".json");
  args["task_id"] = case_id + "/" + step;
  return args;
}

// What the police client does: open its sealed box, check it against the
// case's commitments, pick the next free ID number, validate it against the
// box and seal it on to social. Returns (args, secrets).
std::pair<json, json> HouseholdArgs(Harness& h, const std::string& case_id,
                                    std::optional<std::string> rid = std::nullopt) {
  json box = h.Query("sealed", {{"case_id", case_id}, {"org", "police"}});
  REQUIRE(box.size() == 1);
  auto police =
      OpenSealed(h.net().encryption_keys.at("police"), box[0]["ciphertext"].get<std::string>());
  REQUIRE(police.ok());
  REQUIRE(CheckSealedData(h.Query("case", {{"case_id", case_id}}), *police).ok());
  json example = StepArgs(case_id, "household_registration");
  json next =
      h.Query("next_resident_id",
              {{"address_code", (*police)["household_address_code"]["value"]},
               {"birth_date", (*police)["birth_time"]["value"].get<std::string>().substr(0, 10)},
               {"sex", (*police)["sex"]["value"]}});
  CHECK(next["resident_id"] == "370102202611240028");
  auto prepared =
      PrepareHouseholdRegistration(h.net().genesis, case_id + "/household_registration", *police,
                                   rid.value_or(next["resident_id"]), h.RandomSource(), h.now());
  REQUIRE(prepared.ok());
  // Same shape as the documented example file.
  for (auto it = example.begin(); it != example.end(); ++it) {
    CHECK(prepared->args.contains(it.key()));
  }
  for (auto it = example["outputs"].begin(); it != example["outputs"].end(); ++it) {
    CHECK(prepared->args["outputs"].contains(it.key()));
  }
  return {prepared->args, prepared->secrets};
}

std::vector<std::string> PrivateValues() {
  std::vector<std::string> out;
  const json app = ExampleJson("newborn-application.json");
  for (const auto& [f, v] : app["private"].items()) {
    // Short codes ("F", "3250", "370102") also occur in public data; the names,
    // ID numbers, birth time and place must never be found.
    if (f != "sex" && f != "weight_g" && f != "household_address_code") {
      out.push_back(v.get<std::string>());
    }
  }
  out.push_back("2026-11-24");  // the birth date alone
  return out;
}

}  // namespace

TEST_CASE("newborn flow runs to completion from the example files", "[flow][newborn]") {
  Harness h;
  Clerks c = EnrolAll(h);
  auto [id, secrets] = h.OpenFromExample(c.window, "newborn-application.json");
  CHECK(id == "NBR-2026-000001");
  json kase = h.Query("case", {{"case_id", id}});
  // 5 working days from Thursday 10:00 -> the next Thursday 10:00.
  CHECK(kase["due_ms"] == kThursday10am + 7 * kDayMs);
  CHECK(kase.dump().find("Wang Xiaoyu") == std::string::npos);
  CHECK(kase.dump().find("370102199203150029") == std::string::npos);
  // Social receives only child name and guardian.
  json social_box = h.Query("sealed", {{"case_id", id}, {"org", "social"}});
  auto social = OpenSealed(h.net().encryption_keys.at("social"),
                           social_box[0]["ciphertext"].get<std::string>());
  REQUIRE(social.ok());
  CHECK((*social)["guardian_id"]["value"] == "370102199203150029");
  CHECK(social->size() == 3);

  json bmc = h.Ok(c.hospital, "workflow", "complete", StepArgs(id, "birth_certificate"));
  std::string bmc_id = bmc["outputs"]["licence"];
  json lic = h.Query("licence", {{"identifier", bmc_id}});
  CHECK(lic["record"]["number"] == "Q370102001");
  CHECK(lic["record"]["type_code"] == "BMC");
  CHECK(lic["record"]["issuer_org"] == "health");
  // A holder can disclose one field with its salt; it matches the commitment.
  CHECK(lic["record"]["commitments"]["child_name"] ==
        ToHex(FieldCommitment("child_name", "Wang Xiaoyu",
                              *FromHex(secrets["child_name"]["salt"].get<std::string>()))));
  h.Ok(c.hospital, "workflow", "complete", StepArgs(id, "vaccination"));

  auto [hr_args, hr_secrets] = HouseholdArgs(h, id);
  json hr = h.Ok(c.police, "workflow", "complete", hr_args);
  std::string rid = hr_secrets["resident_id"]["value"];
  CHECK(rid == "370102202611240028");
  CHECK(ValidateResidentId(rid).ok());
  CHECK(ResidentIdSex(rid) == 'F');
  json hre = h.Query("licence", {{"identifier", hr["outputs"]["licence"]}});
  CHECK(hre["record"]["holder_code_type"] == "resident_id");
  CHECK(hre["record"]["commitments"]["resident_id"] == hr["outputs"]["resident_id_commitment"]);
  CHECK(hr["outputs"]["resident_id_commitment"] ==
        ToHex(FieldCommitment("resident_id", rid,
                              *FromHex(hr_secrets["resident_id"]["salt"].get<std::string>()))));
  CHECK(h.Query("case", {{"case_id", id}}).dump().find(rid) == std::string::npos);
  // Social now has the ID number from police.
  json boxes = h.Query("sealed", {{"case_id", id}, {"org", "social"}});
  REQUIRE(boxes.size() == 2);
  auto handed =
      OpenSealed(h.net().encryption_keys.at("social"), boxes[0]["ciphertext"].get<std::string>());
  REQUIRE(handed.ok());
  CHECK((*handed)["resident_id"]["value"] == rid);
  // Social's client re-checks what police sealed against the new commitment.
  CHECK(CheckSealedData(h.Query("case", {{"case_id", id}}), *handed).ok());
  // The next free number for a second girl born the same day is 004.
  json next = h.Query("next_resident_id",
                      {{"address_code", "370102"}, {"birth_date", "2026-11-24"}, {"sex", "F"}});
  CHECK(next["resident_id"].get<std::string>().substr(14, 3) == "004");

  h.Ok(c.social, "workflow", "complete", StepArgs(id, "medical_insurance"));
  json ssc = h.Ok(c.social, "workflow", "complete", StepArgs(id, "social_security_card"));
  CHECK(ssc["case_status"] == "completed");
  json card = h.Query("licence", {{"identifier", ssc["outputs"]["licence"]}});
  CHECK(card["record"]["valid_until"] == "2036-11-22");
  CHECK(h.Query("licences", {{"holder_key", ExampleJson("newborn-application.json")["holder_key"]}})
            .size() == 4);
  // No personal value in clear in any transaction (what the blocks keep).
  std::vector<std::string> needles = PrivateValues();
  CHECK(needles.size() == 8);
  needles.push_back(rid);
  CHECK(h.FoundInTxs(needles).empty());
  CHECK(h.FoundInTxs({"Q370102001"}).size() == 1);  // the scan sees public data
}

TEST_CASE("newborn flow rejections change nothing", "[flow][newborn]") {
  Harness h;
  Clerks c = EnrolAll(h);
  auto prepared = PrepareOpenCase(h.net().genesis, ReadExample("newborn-application.json"),
                                  h.RandomSource(), h.now());
  REQUIRE(prepared.ok());
  json good = prepared->args;

  SECTION("impossible and future dates, bad IDs, missing fields: the client refuses them") {
    json app = ExampleJson("newborn-application.json");
    auto expect_client_error = [&](const json& a, const std::string& needle) {
      auto r = PrepareOpenCase(h.net().genesis, a.dump(), h.RandomSource(), h.now());
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kInvalidArgument);
      CHECK_THAT(r.status().message(), Catch::Contains(needle));
    };
    json a = app;
    a["private"]["birth_time"] = "2026-02-30T08:30";
    expect_client_error(a, "not a real calendar date");
    a["private"]["birth_time"] = "2026-11-27T08:30";
    expect_client_error(a, "in the future");
    a["private"]["birth_time"] = "2026-11-24T25:30";
    expect_client_error(a, "not a real time");
    a["private"]["birth_time"] = "2025-11-24T08:30";
    expect_client_error(a, "more than a year ago");
    a = app;
    a["private"]["mother_id"] = "370102199203150021";
    expect_client_error(a, "private.mother_id");
    a = app;
    a["private"]["sex"] = "X";
    expect_client_error(a, "private.sex");
    a = app;
    a["private"]["weight_g"] = "90000";
    expect_client_error(a, "weight_g");
    a = app;
    a["private"]["household_address_code"] = "912345";
    expect_client_error(a, "household_address_code");
    a = app;
    a["private"].erase("father_name");
    expect_client_error(a, "father_name: missing");
    a = app;
    a["private"]["nickname"] = a["private"]["child_name"];
    expect_client_error(a, "not a private field");
    // The chaincode refuses commitments it cannot use.
    json b = good;
    b["commitments"]["birth_time"] = "2026-11-24T08:30";
    h.Fail(c.window, "workflow", "open_case", b, StatusCode::kInvalidArgument,
           "commitments.birth_time");
    b = good;
    b["public"]["guardian"] = "aunt";
    h.Fail(c.window, "workflow", "open_case", b, StatusCode::kInvalidArgument, "guardian");
  }
  SECTION("wrong org, duplicate case, bad certificate number") {
    h.Fail(c.police, "workflow", "open_case", good, StatusCode::kPermissionDenied, "no window");
    std::string id = h.Ok(c.window, "workflow", "open_case", good)["case_id"];
    h.Fail(c.window, "workflow", "open_case", good, StatusCode::kAlreadyExists,
           "duplicate application");
    json bad = StepArgs(id, "birth_certificate");
    bad["outputs"]["certificate_number"] = "3370102001";
    h.Fail(c.hospital, "workflow", "complete", bad, StatusCode::kInvalidArgument,
           "one letter A-Z and 9 digits");
    h.Fail(c.police, "workflow", "complete", StepArgs(id, "birth_certificate"),
           StatusCode::kPermissionDenied, "needs a clerk of 'health'");
    h.Fail(c.police, "workflow", "complete", StepArgs(id, "household_registration"),
           StatusCode::kFailedPrecondition, "step out of order");
  }
  SECTION("household registration: the police client checks the ID number") {
    std::string id = h.Ok(c.window, "workflow", "open_case", good)["case_id"];
    h.Ok(c.hospital, "workflow", "complete", StepArgs(id, "birth_certificate"));
    json box = h.Query("sealed", {{"case_id", id}, {"org", "police"}});
    auto police =
        OpenSealed(h.net().encryption_keys.at("police"), box[0]["ciphertext"].get<std::string>());
    REQUIRE(police.ok());
    auto client_error = [&](const std::string& rid, const std::string& needle) {
      auto r = PrepareHouseholdRegistration(h.net().genesis, id + "/household_registration",
                                            *police, rid, h.RandomSource(), h.now());
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kInvalidArgument);
      CHECK_THAT(r.status().message(), Catch::Contains(needle));
    };
    client_error("370102202611240027", "wrong check character");
    client_error(*MakeResidentId("370102", {2026, 11, 24}, 'M', 0), "sex");
    client_error(*MakeResidentId("370102", {2026, 11, 23}, 'F', 0), "birth date");
    client_error(*MakeResidentId("370103", {2026, 11, 24}, 'F', 0), "address code");
    client_error(*MakeResidentId("370102", {2026, 11, 28}, 'F', 0), "outputs.resident_id");
    // A box that does not match the case's commitments is refused on opening.
    json tampered = *police;
    tampered["sex"]["value"] = "M";
    Status st = CheckSealedData(h.Query("case", {{"case_id", id}}), tampered);
    CHECK(st.code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(st.message(), Catch::Contains("'sex' does not match the commitment"));
    tampered = *police;
    tampered["nickname"] = tampered["sex"];
    CHECK_THAT(CheckSealedData(h.Query("case", {{"case_id", id}}), tampered).message(),
               Catch::Contains("has no commitment"));

    auto [args, secrets] = HouseholdArgs(h, id);
    json a = args;
    a["outputs"]["resident_id"] = "370102202611240028";
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument,
           "must not go on the ledger in clear");
    a = args;
    a["disclose"] = {{"sex", "F"}};
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument,
           "disclose: personal values must not go on the ledger");
    a = args;
    a["outputs"]["resident_id_commitment"] = "abc";
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument,
           "outputs.resident_id_commitment");
    a = args;
    a["outputs"].erase("resident_id_tag");
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument,
           "outputs.resident_id_tag: missing");
    a = args;
    a["sealed"]["social"]["fields"] = {"resident_id", "child_name"};
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument, "minimal data set");
    a = args;
    a.erase("sealed");
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument, "sealed: missing");
    h.Ok(c.police, "workflow", "complete", args);
    // The same number cannot be assigned twice (its tag is marked as taken).
    std::string id2 = h.Ok(c.window, "workflow", "open_case",
                           PrepareOpenCase(
                               h.net().genesis,
                               [] {
                                 json a2 = ExampleJson("newborn-application.json");
                                 a2["private"]["child_name"] = "Wang Xiaoxue";
                                 return a2.dump();
                               }(),
                               h.RandomSource(), h.now())
                               ->args)["case_id"];
    h.Ok(c.hospital, "workflow", "complete", [&] {
      json b = StepArgs(id2, "birth_certificate");
      b["outputs"]["certificate_number"] = "Q370102002";
      return b;
    }());
    json box2 = h.Query("sealed", {{"case_id", id2}, {"org", "police"}});
    auto police2 =
        OpenSealed(h.net().encryption_keys.at("police"), box2[0]["ciphertext"].get<std::string>());
    auto dup =
        PrepareHouseholdRegistration(h.net().genesis, id2 + "/household_registration", *police2,
                                     secrets["resident_id"]["value"], h.RandomSource(), h.now());
    REQUIRE(dup.ok());
    h.Fail(c.police, "workflow", "complete", dup->args, StatusCode::kAlreadyExists,
           "already assigned");
  }
  SECTION("use of a revoked birth certificate") {
    std::string id = h.Ok(c.window, "workflow", "open_case", good)["case_id"];
    std::string bmc = h.Ok(c.hospital, "workflow", "complete",
                           StepArgs(id, "birth_certificate"))["outputs"]["licence"];
    // Police may not revoke a health licence; health's licensing clerk may.
    crypto::KeyPair police_lic = h.Enrol("police", "licensing-1", {"licensing"});
    h.Fail(police_lic, "licence", "revoke", {{"identifier", bmc}, {"reason", "x"}},
           StatusCode::kPermissionDenied, "needs a clerk of 'health'");
    h.Ok(h.admin("health"), "licence", "revoke",
         {{"identifier", bmc}, {"reason", "issued in error"}});
    h.Fail(c.police, "workflow", "complete", HouseholdArgs(h, id).first,
           StatusCode::kFailedPrecondition, "revoked");
    h.Fail(c.hospital, "workflow", "complete", StepArgs(id, "vaccination"),
           StatusCode::kFailedPrecondition, "revoked");
  }
}
