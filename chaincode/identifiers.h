// Chinese identifiers with check characters, implemented as the standards
// define them:
//   - unified social credit code, GB 32100-2015 (18 chars, MOD 31 check);
//   - resident identity number, GB 11643-1999 (18 chars, MOD 11-2 check);
//   - electronic licence identifier, GB/T 36904 style, ISO/IEC 7064 MOD 37,36 check;
//   - birth medical certificate number (one letter A-Z + 9 digits).
// Plus calendar dates (proleptic Gregorian) used by the checks.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace licenced::chaincode {

// ---- Dates ----
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  auto operator<=>(const Date&) const = default;
};
bool IsLeapYear(int year);
int DaysInMonth(int year, int month);  // 0 if month out of range
bool IsValidDate(const Date& d);       // years 1900..2999
// "YYYY-MM-DD" (or "YYYYMMDD" with compact = true); errors name `field`.
Result<Date> ParseDate(std::string_view s, std::string_view field, bool compact = false);
std::string FormatDate(const Date& d);  // YYYY-MM-DD
// Days since 1970-01-01 and back.
int64_t DaysFromCivil(const Date& d);
Date CivilFromDays(int64_t days);
int Weekday(const Date& d);  // 0 = Monday .. 6 = Sunday

// ---- GB 32100-2015 unified social credit code ----
inline constexpr std::string_view kCreditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
// Check character for the first 17 characters, or an error naming the bad character.
Result<char> CreditCodeCheckChar(std::string_view first17);
// Validates length, alphabet, region code digits and check character.
Status ValidateCreditCode(std::string_view code);
// Builds a code from registering authority (1 char), entity type (1 char),
// region code (6 digits) and organisation code (9 chars of the alphabet).
Result<std::string> MakeCreditCode(char authority, char entity_type, std::string_view region,
                                   std::string_view org_code);

// ---- GB 11643-1999 resident identity number ----
Result<char> ResidentIdCheckChar(std::string_view first17);
// Validates length, digits, address code shape, birth date (a real date, not
// after `not_after` when given), sequence and check character.
Status ValidateResidentId(std::string_view id, std::optional<Date> not_after = std::nullopt);
// 'M' (odd sequence) or 'F' (even). REQUIRES: ValidateResidentId(id).ok()
char ResidentIdSex(std::string_view id);
Date ResidentIdBirthDate(std::string_view id);  // REQUIRES: valid id
// The n-th (0-based) number for this address/date/sex: sequence = 2n+1 for 'M',
// 2n+2 for 'F' (001, 003, ... / 002, 004, ...). Fails past sequence 999 or on
// bad inputs.
Result<std::string> MakeResidentId(std::string_view address_code, const Date& birth, char sex,
                                   uint32_t n);
// The ledger's tag of a resident ID number: hex SHA-256 of
// "licenced/resident-id/" + id. The chaincode marks "resident-id/<tag>" as
// assigned; the assigning police client sends the tag with the number's
// commitment (client/prepare.h PrepareHouseholdRegistration).
std::string ResidentIdTag(std::string_view resident_id);
// Six digits, first digit 1-8 (GB/T 2260 province prefixes); errors name `field`.
Status ValidateRegionCode(std::string_view code, std::string_view field);

// ---- GB/T 36904 style licence identifier ----
inline constexpr std::string_view kLicenceRootOid = "1.2.156.3005.2";
// ISO/IEC 7064 MOD 37,36 (hybrid system, alphabet 0-9A-Z): the check character
// for `data` (characters 0-9A-Z only).
Result<char> Mod3736CheckChar(std::string_view data);
struct LicenceIdParts {
  std::string type_code;    // [A-Z0-9]+
  std::string issuer_code;  // issuing department's credit code
  std::string serial;       // digits
  uint32_t version = 1;     // 1..999
};
// "1.2.156.3005.2.<type>.<issuer>.<serial>.<version 3 digits>.<check>", the check
// computed over type+issuer+serial+version concatenated without dots.
Result<std::string> MakeLicenceIdentifier(const LicenceIdParts& parts);
Result<LicenceIdParts> ParseLicenceIdentifier(std::string_view identifier);

// ---- Birth medical certificate number ----
// One upper-case letter followed by 9 digits, e.g. "Q370100001".
Status ValidateBirthCertificateNumber(std::string_view number);

}  // namespace licenced::chaincode
