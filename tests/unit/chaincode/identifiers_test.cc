// Identifier check characters against the public identifier samples in
// testdata/identifiers.json and exhaustive wrong-check-character rejection.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chaincode/exec.h"
#include "chaincode/identifiers.h"
#include "core/genesis.h"

using namespace licenced;
using namespace licenced::chaincode;

namespace {
nlohmann::json LoadSamples() {
  std::ifstream in(std::string(LICENCED_SOURCE_DIR) +
                   "/tests/unit/chaincode/testdata/identifiers.json");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}
}  // namespace

TEST_CASE("resident ID samples from identifiers.json", "[identifiers]") {
  auto j = LoadSamples();
  for (const auto& v : j["resident_id"]["valid"]) {
    INFO(v.get<std::string>());
    CHECK(ValidateResidentId(v.get<std::string>()).ok());
  }
  for (const auto& v : j["resident_id"]["invalid_check_character"]) {
    Status st = ValidateResidentId(v.get<std::string>());
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(st.message(), Catch::Contains("check character"));
  }
  CHECK(ResidentIdSex("11010519491231002X") == 'F');
  CHECK(ResidentIdBirthDate("11010519491231002X") == Date{1949, 12, 31});
}

TEST_CASE("resident ID: every wrong check character is rejected", "[identifiers]") {
  const std::string good = "11010519491231002X";
  int accepted = 0;
  for (char c : std::string("0123456789X")) {
    std::string id = good.substr(0, 17) + c;
    if (ValidateResidentId(id).ok()) ++accepted;
  }
  CHECK(accepted == 1);
}

TEST_CASE("resident ID: impossible dates, future dates, bad shapes", "[identifiers]") {
  // Build numbers with a correct check character so only the date is wrong.
  auto with_check = [](std::string first17) { return first17 + *ResidentIdCheckChar(first17); };
  CHECK_THAT(ValidateResidentId(with_check("11010520230230001")).message(),
             Catch::Contains("not a real date"));
  CHECK(ValidateResidentId(with_check("11010520240229001")).ok());  // leap day
  CHECK_THAT(ValidateResidentId(with_check("11010520230229001")).message(),
             Catch::Contains("not a real date"));
  CHECK_THAT(ValidateResidentId(with_check("11010520300101001"), Date{2026, 11, 26}).message(),
             Catch::Contains("future"));
  CHECK_FALSE(ValidateResidentId("1101051949123100").ok());
  CHECK_FALSE(ValidateResidentId("1101051949123100AX").ok());
  CHECK_FALSE(ValidateResidentId(with_check("91010519491231001")).ok());  // region 9xxxxx
}

TEST_CASE("resident ID generation: sex parity and check", "[identifiers]") {
  Date birth{2026, 11, 20};
  auto m0 = MakeResidentId("370102", birth, 'M', 0);
  auto f0 = MakeResidentId("370102", birth, 'F', 0);
  auto f3 = MakeResidentId("370102", birth, 'F', 3);
  REQUIRE(m0.ok());
  REQUIRE(f0.ok());
  REQUIRE(f3.ok());
  CHECK(m0->substr(0, 17) == "37010220261120001");
  CHECK(f0->substr(0, 17) == "37010220261120002");
  CHECK(f3->substr(0, 17) == "37010220261120008");
  for (const auto& id : {*m0, *f0, *f3}) CHECK(ValidateResidentId(id).ok());
  CHECK(ResidentIdSex(*m0) == 'M');
  CHECK(ResidentIdSex(*f3) == 'F');
  CHECK(ResidentIdBirthDate(*m0) == birth);
  CHECK(MakeResidentId("370102", birth, 'M', 499).ok());
  CHECK(MakeResidentId("370102", birth, 'M', 500).status().code() ==
        StatusCode::kFailedPrecondition);
  CHECK_FALSE(MakeResidentId("370102", birth, 'X', 0).ok());
  CHECK_FALSE(MakeResidentId("370102", Date{2026, 2, 30}, 'M', 0).ok());
}

TEST_CASE("credit code: known-good code and every wrong check character", "[identifiers]") {
  // 91350100M000100Y43 is a published example code (GB 32100 annex style).
  auto made = MakeCreditCode('9', '1', "370100", "MA3C4X8Y0");
  REQUIRE(made.ok());
  CHECK(ValidateCreditCode(*made).ok());
  CHECK(ValidateCreditCode("91350100M000100Y43").ok());
  for (const std::string& good : {*made, std::string("91350100M000100Y43")}) {
    int accepted = 0;
    for (char c : kCreditCodeAlphabet) {
      std::string code = good.substr(0, 17) + c;
      Status st = ValidateCreditCode(code);
      if (st.ok()) {
        ++accepted;
      } else {
        CHECK_THAT(st.message(), Catch::Contains("wrong check character"));
      }
    }
    CHECK(accepted == 1);
    // Characters outside the alphabet as the check character.
    for (char c : std::string("IOSVZ*a"))
      CHECK_FALSE(ValidateCreditCode(good.substr(0, 17) + c).ok());
  }
  CHECK_THAT(ValidateCreditCode("91350100M00010OY43").message(), Catch::Contains("'O'"));
  CHECK_FALSE(ValidateCreditCode("91350100M000100Y4").ok());
  CHECK_FALSE(ValidateCreditCode("91ABCDEFM000100Y43").ok());
}

// The worked example of docs/chaincode.md ("Issuer credit code"), computed by an
// independent implementation (Python hashlib) of the rule written there.
TEST_CASE("issuer credit code derivation matches the documented worked example", "[identifiers]") {
  GenesisOrg org;
  org.id = "market";
  CHECK(OrgCreditCode(org) == "11370100EGG603UWCM");
  org.id = "police";
  CHECK(OrgCreditCode(org) == "113701005BE7PRU5W6");
  org.id = "health";
  CHECK(OrgCreditCode(org) == "1137010082514AQ7ND");
  CHECK(ValidateCreditCode(OrgCreditCode(org)).ok());
  // A code written in the genesis wins.
  org.credit_code = "91370102MA3C1234X7";
  CHECK(OrgCreditCode(org) == "91370102MA3C1234X7");
}

TEST_CASE("licence identifier sample and MOD 37,36", "[identifiers]") {
  auto j = LoadSamples();
  for (const auto& v : j["licence_identifier"]["valid"]) {
    std::string id = v.get<std::string>();
    INFO(id);
    auto parts = ParseLicenceIdentifier(id);
    REQUIRE(parts.ok());
    CHECK(parts->type_code == "11100000000013338W011");
    CHECK(parts->issuer_code == "11430000006122244L");
    CHECK(parts->serial == "20230000403");
    CHECK(parts->version == 1);
    auto again = MakeLicenceIdentifier(*parts);
    REQUIRE(again.ok());
    CHECK(*again == id);
    // Every other check character is rejected.
    int accepted = 0;
    for (char c : std::string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
      std::string bad = id.substr(0, id.size() - 1) + c;
      if (ParseLicenceIdentifier(bad).ok()) ++accepted;
    }
    CHECK(accepted == 1);
  }
  // A single substituted character anywhere is detected.
  auto id = MakeLicenceIdentifier({"BL", "11370100MB0000001X", "20260000001", 2});
  REQUIRE(id.ok());
  CHECK(ParseLicenceIdentifier(*id).ok());
  std::string tampered = *id;
  tampered[tampered.size() - 8] = tampered[tampered.size() - 8] == '1' ? '2' : '1';
  CHECK_FALSE(ParseLicenceIdentifier(tampered).ok());
  CHECK_FALSE(ParseLicenceIdentifier("1.2.156.3005.2.BL.X.1.001").ok());
  CHECK_FALSE(ParseLicenceIdentifier("1.2.156.3005.3.BL.X.1.001.A").ok());
  CHECK_FALSE(MakeLicenceIdentifier({"bl", "X", "1", 1}).ok());
  CHECK_FALSE(MakeLicenceIdentifier({"BL", "X", "1", 1000}).ok());
}

TEST_CASE("birth certificate numbers and dates", "[identifiers]") {
  CHECK(ValidateBirthCertificateNumber("Q370100001").ok());
  CHECK_FALSE(ValidateBirthCertificateNumber("q370100001").ok());
  CHECK_FALSE(ValidateBirthCertificateNumber("Q37010000").ok());
  CHECK_FALSE(ValidateBirthCertificateNumber("QQ37010000").ok());
  CHECK(ParseDate("2024-02-29", "d").ok());
  CHECK_THAT(ParseDate("2023-02-29", "birth_date").status().message(),
             Catch::Contains("birth_date"));
  CHECK_FALSE(ParseDate("2023-13-01", "d").ok());
  CHECK_FALSE(ParseDate("2023-1-01", "d").ok());
  CHECK(Weekday({2026, 11, 26}) == 3);  // a Thursday
  CHECK(CivilFromDays(DaysFromCivil({2026, 11, 26})) == Date{2026, 11, 26});
  CHECK(DaysFromCivil({1970, 1, 1}) == 0);
}
