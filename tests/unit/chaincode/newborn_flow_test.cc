// The newborn-registration flow driven through chaincode::Engine alone, with
// the example files under examples/, and its rejection paths.
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

// What the police client does: open its sealed box, disclose what the step
// needs, pick the next free ID number, and seal it on to social.
json HouseholdArgs(Harness& h, const std::string& case_id) {
  json box = h.Query("sealed", {{"case_id", case_id}, {"org", "police"}});
  REQUIRE(box.size() == 1);
  auto police =
      OpenSealed(h.net().encryption_keys.at("police"), box[0]["ciphertext"].get<std::string>());
  REQUIRE(police.ok());
  json example = StepArgs(case_id, "household_registration");
  json next =
      h.Query("next_resident_id",
              {{"address_code", (*police)["household_address_code"]["value"]},
               {"birth_date", (*police)["birth_time"]["value"].get<std::string>().substr(0, 10)},
               {"sex", (*police)["sex"]["value"]}});
  CHECK(next["resident_id"] == example["outputs"]["resident_id"]["value"]);
  auto args = PrepareHouseholdRegistration(h.net().genesis, case_id + "/household_registration",
                                           *police, next["resident_id"], h.RandomSource());
  REQUIRE(args.ok());
  // Same shape as the documented example file.
  for (auto it = example.begin(); it != example.end(); ++it) CHECK(args->contains(it.key()));
  for (auto it = example["disclose"].begin(); it != example["disclose"].end(); ++it) {
    CHECK((*args)["disclose"].contains(it.key()));
  }
  CHECK((*args)["disclose"]["sex"]["value"] == example["disclose"]["sex"]["value"]);
  return *args;
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

  json hr_args = HouseholdArgs(h, id);
  json hr = h.Ok(c.police, "workflow", "complete", hr_args);
  std::string rid = hr_args["outputs"]["resident_id"]["value"];
  CHECK(rid == "370102202611240028");
  CHECK(ValidateResidentId(rid).ok());
  CHECK(ResidentIdSex(rid) == 'F');
  json hre = h.Query("licence", {{"identifier", hr["outputs"]["licence"]}});
  CHECK(hre["record"]["holder_code_type"] == "resident_id");
  CHECK(hre["record"]["commitments"]["resident_id"] == hr["outputs"]["resident_id_commitment"]);
  CHECK(h.Query("case", {{"case_id", id}}).dump().find(rid) == std::string::npos);
  // Social now has the ID number from police.
  json boxes = h.Query("sealed", {{"case_id", id}, {"org", "social"}});
  REQUIRE(boxes.size() == 2);
  auto handed =
      OpenSealed(h.net().encryption_keys.at("social"), boxes[0]["ciphertext"].get<std::string>());
  REQUIRE(handed.ok());
  CHECK((*handed)["resident_id"]["value"] == rid);
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
}

TEST_CASE("newborn flow rejections change nothing", "[flow][newborn]") {
  Harness h;
  Clerks c = EnrolAll(h);
  auto prepared =
      PrepareOpenCase(h.net().genesis, ReadExample("newborn-application.json"), h.RandomSource());
  REQUIRE(prepared.ok());
  json good = prepared->args;

  SECTION("impossible and future dates, bad IDs, missing fields") {
    json a = good;
    a["private"]["birth_time"]["value"] = "2026-02-30T08:30";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "not a real calendar date");
    a["private"]["birth_time"]["value"] = "2026-11-27T08:30";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "in the future");
    a["private"]["birth_time"]["value"] = "2026-11-24T25:30";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "not a real time");
    a = good;
    a["private"]["mother_id"]["value"] = "370102199203150021";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "private.mother_id");
    a = good;
    a["private"]["sex"]["value"] = "X";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "private.sex");
    a = good;
    a["private"]["weight_g"]["value"] = "90000";
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument, "weight_g");
    a = good;
    a["private"].erase("father_name");
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "father_name: missing");
    a = good;
    a["private"]["nickname"] = a["private"]["child_name"];
    h.Fail(c.window, "workflow", "open_case", a, StatusCode::kInvalidArgument,
           "not a private field");
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
  SECTION("household registration checks the ID number against birth date and sex") {
    std::string id = h.Ok(c.window, "workflow", "open_case", good)["case_id"];
    h.Ok(c.hospital, "workflow", "complete", StepArgs(id, "birth_certificate"));
    json args = HouseholdArgs(h, id);
    json a = args;
    a["outputs"]["resident_id"]["value"] = "370102202611240027";
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument,
           "wrong check character");
    a = args;
    a["outputs"]["resident_id"]["value"] = *MakeResidentId("370102", {2026, 11, 24}, 'M', 0);
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument, "sex");
    a = args;
    a["outputs"]["resident_id"]["value"] = *MakeResidentId("370102", {2026, 11, 23}, 'F', 0);
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument, "birth date");
    a = args;
    a["outputs"]["resident_id"]["value"] = *MakeResidentId("370103", {2026, 11, 24}, 'F', 0);
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument, "address code");
    a = args;
    a["disclose"]["sex"]["value"] = "M";
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument, "do not match");
    a = args;
    a["sealed"]["social"]["fields"] = {"resident_id", "child_name"};
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument, "minimal data set");
    a = args;
    a.erase("sealed");
    h.Fail(c.police, "workflow", "complete", a, StatusCode::kInvalidArgument, "sealed: missing");
    h.Ok(c.police, "workflow", "complete", args);
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
    h.Fail(c.police, "workflow", "complete", HouseholdArgs(h, id), StatusCode::kFailedPrecondition,
           "revoked");
    h.Fail(c.hospital, "workflow", "complete", StepArgs(id, "vaccination"),
           StatusCode::kFailedPrecondition, "revoked");
  }
}
