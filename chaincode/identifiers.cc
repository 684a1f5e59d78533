#include "chaincode/identifiers.h"

#include <algorithm>
#include <array>
#include <vector>

#include "core/crypto.h"

namespace licenced::chaincode {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }
int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}
std::string Pad(uint64_t v, size_t width) {
  std::string s = std::to_string(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

}  // namespace

// ---- Dates ----
bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
}

bool IsValidDate(const Date& d) {
  return d.year >= 1900 && d.year <= 2999 && d.day >= 1 && d.day <= DaysInMonth(d.year, d.month);
}

Result<Date> ParseDate(std::string_view s, std::string_view field, bool compact) {
  std::string f(field);
  Date d;
  if (compact) {
    if (s.size() != 8 || !AllDigits(s)) {
      return Status::InvalidArgument(f + ": expected YYYYMMDD, got '" + std::string(s) + "'");
    }
    d = {Num(s.substr(0, 4)), Num(s.substr(4, 2)), Num(s.substr(6, 2))};
  } else {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !AllDigits(s.substr(0, 4)) ||
        !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2))) {
      return Status::InvalidArgument(f + ": expected YYYY-MM-DD, got '" + std::string(s) + "'");
    }
    d = {Num(s.substr(0, 4)), Num(s.substr(5, 2)), Num(s.substr(8, 2))};
  }
  if (!IsValidDate(d)) {
    return Status::InvalidArgument(f + ": '" + std::string(s) + "' is not a real calendar date");
  }
  return d;
}

std::string FormatDate(const Date& d) {
  return Pad(d.year, 4) + "-" + Pad(d.month, 2) + "-" + Pad(d.day, 2);
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(const Date& d) {
  int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (d.month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

int Weekday(const Date& d) {
  int64_t days = DaysFromCivil(d);  // 1970-01-01 was a Thursday (3)
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

// ---- GB 32100 ----
Result<char> CreditCodeCheckChar(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                   29, 25, 13, 8,  24, 10, 30, 28};
  if (first17.size() != 17) return Status::InvalidArgument("credit code: need 17 characters");
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    size_t v = kCreditCodeAlphabet.find(first17[i]);
    if (v == std::string_view::npos) {
      return Status::InvalidArgument("credit code: character " + std::to_string(i + 1) + " '" +
                                     std::string(1, first17[i]) +
                                     "' is not in 0-9A-Z without I, O, S, V, Z");
    }
    sum += static_cast<int>(v) * kWeights[i];
  }
  return kCreditCodeAlphabet[(31 - sum % 31) % 31];
}

Status ValidateCreditCode(std::string_view code) {
  std::string c(code);
  if (code.size() != 18) {
    return Status::InvalidArgument("credit code '" + c + "': expected 18 characters, got " +
                                   std::to_string(code.size()));
  }
  auto check = CreditCodeCheckChar(code.substr(0, 17));
  if (!check.ok()) return Status::InvalidArgument(check.status().message() + " in '" + c + "'");
  if (!AllDigits(code.substr(2, 6))) {
    return Status::InvalidArgument("credit code '" + c +
                                   "': characters 3-8 must be a 6-digit region code");
  }
  if (kCreditCodeAlphabet.find(code[17]) == std::string_view::npos || *check != code[17]) {
    return Status::InvalidArgument("credit code '" + c + "': wrong check character '" +
                                   std::string(1, code[17]) + "' (GB 32100 expects '" +
                                   std::string(1, *check) + "')");
  }
  return Status::Ok();
}

Result<std::string> MakeCreditCode(char authority, char entity_type, std::string_view region,
                                   std::string_view org_code) {
  LIC_RETURN_IF_ERROR(ValidateRegionCode(region, "region code"));
  if (org_code.size() != 9) return Status::InvalidArgument("organisation code: need 9 characters");
  std::string s;
  s += authority;
  s += entity_type;
  s += region;
  s += org_code;
  LIC_ASSIGN_OR_RETURN(char check, CreditCodeCheckChar(s));
  s += check;
  return s;
}

// ---- GB 11643 ----
Result<char> ResidentIdCheckChar(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr std::string_view kCheck = "10X98765432";
  if (first17.size() != 17 || !AllDigits(first17)) {
    return Status::InvalidArgument("resident ID: the first 17 characters must be digits");
  }
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

std::string ResidentIdTag(std::string_view resident_id) {
  return ToHex(crypto::Sha256(AsBytes("licenced/resident-id/" + std::string(resident_id))));
}

Status ValidateRegionCode(std::string_view code, std::string_view field) {
  if (code.size() != 6 || !AllDigits(code) || code[0] < '1' || code[0] > '8') {
    return Status::InvalidArgument(std::string(field) + ": '" + std::string(code) +
                                   "' is not a 6-digit GB/T 2260 region code");
  }
  return Status::Ok();
}

Status ValidateResidentId(std::string_view id, std::optional<Date> not_after) {
  std::string s(id);
  if (id.size() != 18) {
    return Status::InvalidArgument("resident ID '" + s + "': expected 18 characters, got " +
                                   std::to_string(id.size()));
  }
  if (!AllDigits(id.substr(0, 17))) {
    return Status::InvalidArgument("resident ID '" + s +
                                   "': the first 17 characters must be digits");
  }
  if (Status st = ValidateRegionCode(id.substr(0, 6), "resident ID address code"); !st.ok()) {
    return Status::InvalidArgument(st.message() + " in '" + s + "'");
  }
  Date birth{Num(id.substr(6, 4)), Num(id.substr(10, 2)), Num(id.substr(12, 2))};
  if (!IsValidDate(birth)) {
    return Status::InvalidArgument("resident ID '" + s + "': birth date " +
                                   std::string(id.substr(6, 8)) + " is not a real date");
  }
  if (not_after && birth > *not_after) {
    return Status::InvalidArgument("resident ID '" + s + "': birth date " + FormatDate(birth) +
                                   " is in the future");
  }
  if (id.substr(14, 3) == "000") {
    return Status::InvalidArgument("resident ID '" + s + "': sequence 000 is not assigned");
  }
  char check = *ResidentIdCheckChar(id.substr(0, 17));
  if (id[17] != check) {
    return Status::InvalidArgument("resident ID '" + s + "': wrong check character '" +
                                   std::string(1, id[17]) + "' (GB 11643 expects '" +
                                   std::string(1, check) + "')");
  }
  return Status::Ok();
}

char ResidentIdSex(std::string_view id) { return (id[16] - '0') % 2 == 1 ? 'M' : 'F'; }

Date ResidentIdBirthDate(std::string_view id) {
  return {Num(id.substr(6, 4)), Num(id.substr(10, 2)), Num(id.substr(12, 2))};
}

Result<std::string> MakeResidentId(std::string_view address_code, const Date& birth, char sex,
                                   uint32_t n) {
  LIC_RETURN_IF_ERROR(ValidateRegionCode(address_code, "address code"));
  if (!IsValidDate(birth)) return Status::InvalidArgument("birth date is not a real date");
  if (sex != 'M' && sex != 'F') return Status::InvalidArgument("sex must be 'M' or 'F'");
  uint64_t seq = 2ULL * n + (sex == 'M' ? 1 : 2);
  if (seq > 999) {
    return Status::FailedPrecondition("no sequence numbers left for address " +
                                      std::string(address_code) + " on " + FormatDate(birth));
  }
  std::string s = std::string(address_code) + Pad(birth.year, 4) + Pad(birth.month, 2) +
                  Pad(birth.day, 2) + Pad(seq, 3);
  s += *ResidentIdCheckChar(s);
  return s;
}

// ---- ISO/IEC 7064 MOD 37,36 ----
Result<char> Mod3736CheckChar(std::string_view data) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  constexpr int kM = 36;
  if (data.empty()) return Status::InvalidArgument("MOD 37,36: empty input");
  int p = kM;
  for (char c : data) {
    size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) {
      return Status::InvalidArgument("MOD 37,36: character '" + std::string(1, c) +
                                     "' is not in 0-9A-Z");
    }
    int s = (p + static_cast<int>(v)) % kM;
    if (s == 0) s = kM;
    p = (2 * s) % (kM + 1);
  }
  return kAlphabet[(kM + 1 - p) % kM];
}

Result<std::string> MakeLicenceIdentifier(const LicenceIdParts& parts) {
  auto alnum = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [](char c) { return IsDigit(c) || (c >= 'A' && c <= 'Z'); });
  };
  if (!alnum(parts.type_code))
    return Status::InvalidArgument("licence type code must be [A-Z0-9]+");
  if (!alnum(parts.issuer_code)) return Status::InvalidArgument("issuer code must be [A-Z0-9]+");
  if (parts.serial.empty() || !AllDigits(parts.serial)) {
    return Status::InvalidArgument("licence serial must be digits");
  }
  if (parts.version < 1 || parts.version > 999) {
    return Status::InvalidArgument("licence version must be 1..999");
  }
  std::string version = Pad(parts.version, 3);
  LIC_ASSIGN_OR_RETURN(
      char check, Mod3736CheckChar(parts.type_code + parts.issuer_code + parts.serial + version));
  return std::string(kLicenceRootOid) + "." + parts.type_code + "." + parts.issuer_code + "." +
         parts.serial + "." + version + "." + std::string(1, check);
}

Result<LicenceIdParts> ParseLicenceIdentifier(std::string_view identifier) {
  std::string s(identifier);
  std::string root = std::string(kLicenceRootOid) + ".";
  if (identifier.substr(0, root.size()) != root) {
    return Status::InvalidArgument("licence identifier '" + s + "': must start with " + root);
  }
  std::vector<std::string> parts;
  std::string_view rest = identifier.substr(root.size());
  while (true) {
    size_t dot = rest.find('.');
    parts.emplace_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
  }
  if (parts.size() != 5) {
    return Status::InvalidArgument("licence identifier '" + s +
                                   "': expected <type>.<issuer>.<serial>.<version>.<check> after " +
                                   root);
  }
  if (parts[3].size() != 3 || !AllDigits(parts[3]) || Num(parts[3]) == 0) {
    return Status::InvalidArgument("licence identifier '" + s +
                                   "': version must be 3 digits 001-999");
  }
  LicenceIdParts out{parts[0], parts[1], parts[2], static_cast<uint32_t>(Num(parts[3]))};
  if (parts[4].size() != 1) {
    return Status::InvalidArgument("licence identifier '" + s + "': check must be one character");
  }
  auto check = Mod3736CheckChar(out.type_code + out.issuer_code + out.serial + parts[3]);
  if (!check.ok()) {
    return Status::InvalidArgument("licence identifier '" + s + "': " + check.status().message());
  }
  if (parts[4][0] != *check) {
    return Status::InvalidArgument("licence identifier '" + s + "': wrong check character '" +
                                   parts[4] + "' (ISO/IEC 7064 MOD 37,36 expects '" +
                                   std::string(1, *check) + "')");
  }
  return out;
}

Status ValidateBirthCertificateNumber(std::string_view number) {
  if (number.size() != 10 || number[0] < 'A' || number[0] > 'Z' || !AllDigits(number.substr(1))) {
    return Status::InvalidArgument("birth medical certificate number '" + std::string(number) +
                                   "': expected one letter A-Z and 9 digits");
  }
  return Status::Ok();
}

}  // namespace licenced::chaincode
