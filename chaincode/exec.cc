#include "chaincode/exec.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "chaincode/registry.h"
#include "core/canonical_json.h"
#include "core/crypto.h"

namespace licenced::chaincode {
namespace {
constexpr uint64_t kDayMs = 86'400'000ULL;

std::string Pad(uint64_t v, size_t width) {
  std::string s = std::to_string(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}
}  // namespace

bool IsKnownRole(std::string_view role) {
  return role == kRoleWindow || role == kRoleClerk || role == kRoleLicensing ||
         role == kRoleEngraver;
}

bool RoleAllowedInOrg(std::string_view role, std::string_view org) {
  if (role == kRoleEngraver) return org == "police";
  return IsKnownRole(role);
}

Result<json> ParseArgs(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("arguments are not valid JSON");
  if (!j.is_object()) return Status::InvalidArgument("arguments must be a JSON object");
  return j;
}

Result<std::string> ReqString(const json& obj, const std::string& field, size_t max_len) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::InvalidArgument(field + ": missing");
  if (!it->is_string()) return Status::InvalidArgument(field + ": expected a string");
  std::string s = it->get<std::string>();
  if (s.empty()) return Status::InvalidArgument(field + ": must not be empty");
  if (s.size() > max_len) {
    return Status::InvalidArgument(field + ": longer than " + std::to_string(max_len) + " bytes");
  }
  return s;
}

Result<std::optional<std::string>> OptString(const json& obj, const std::string& field,
                                             size_t max_len) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  LIC_ASSIGN_OR_RETURN(std::string s, ReqString(obj, field, max_len));
  return std::optional<std::string>(std::move(s));
}

Result<int64_t> ReqInt(const json& obj, const std::string& field, int64_t min, int64_t max) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::InvalidArgument(field + ": missing");
  if (!it->is_number_integer()) return Status::InvalidArgument(field + ": expected an integer");
  int64_t v =
      it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX ? INT64_MAX : it->get<int64_t>();
  if (v < min || v > max) {
    return Status::InvalidArgument(field + ": " + std::to_string(v) + " is outside " +
                                   std::to_string(min) + ".." + std::to_string(max));
  }
  return v;
}

Result<std::vector<std::string>> ReqStringList(const json& obj, const std::string& field,
                                               bool allow_empty) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::InvalidArgument(field + ": missing");
  if (!it->is_array()) return Status::InvalidArgument(field + ": expected an array of strings");
  if (it->empty() && !allow_empty) return Status::InvalidArgument(field + ": must not be empty");
  if (it->size() > 64) return Status::InvalidArgument(field + ": more than 64 entries");
  std::vector<std::string> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 256) {
      return Status::InvalidArgument(field + "[" + std::to_string(i) +
                                     "]: expected a non-empty string");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<crypto::PublicKey> ParsePublicKeyHex(std::string_view hex, const std::string& field) {
  if (hex.size() != 64) {
    return Status::InvalidArgument(field + ": expected 64 hex characters (Ed25519 public key)");
  }
  auto bytes = FromHex(hex);
  if (!bytes.ok()) return Status::InvalidArgument(field + ": not hex");
  crypto::PublicKey key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

Result<Bytes> ParseSalt(const json& v, const std::string& field) {
  if (!v.is_string()) return Status::InvalidArgument(field + ": expected a hex salt");
  auto bytes = FromHex(v.get<std::string>());
  if (!bytes.ok()) return Status::InvalidArgument(field + ": salt is not hex");
  if (bytes->size() < kMinSaltBytes || bytes->size() > kMaxSaltBytes) {
    return Status::InvalidArgument(field + ": salt must be " + std::to_string(kMinSaltBytes) +
                                   ".." + std::to_string(kMaxSaltBytes) +
                                   " bytes from the client's random source");
  }
  return std::move(bytes).value();
}

Result<SaltedValue> ReqSalted(const json& obj, const std::string& field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::InvalidArgument(field + ": missing");
  if (!it->is_object()) {
    return Status::InvalidArgument(field + ": expected {\"value\": ..., \"salt\": hex}");
  }
  SaltedValue out;
  auto value = ReqString(*it, "value", 1024);
  if (!value.ok()) return Status::InvalidArgument(field + "." + value.status().message());
  out.value = *value;
  auto salt = it->find("salt");
  if (salt == it->end()) return Status::InvalidArgument(field + ".salt: missing");
  LIC_ASSIGN_OR_RETURN(out.salt, ParseSalt(*salt, field + ".salt"));
  return out;
}

Result<std::string> ReqCommitment(const json& obj, const std::string& field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::InvalidArgument(field + ": missing");
  bool ok = it->is_string() && it->get_ref<const std::string&>().size() == 64;
  if (ok) {
    for (char c : it->get_ref<const std::string&>()) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) ok = false;
    }
  }
  if (!ok) {
    return Status::InvalidArgument(field +
                                   ": expected a commitment, 64 lower-case hex characters "
                                   "(computed by the client; the value itself stays off the "
                                   "ledger)");
  }
  return it->get<std::string>();
}

std::string FindClearValue(const json& args, const std::string& path) {
  // Iterative, and paths capped at ~200 characters: args may be nested
  // arbitrarily deep.
  auto join = [](const std::string& p, const std::string& part) {
    if (p.size() > 200) return p.back() == '.' ? p : p + "...";
    return p.empty() ? part : p + "." + part;
  };
  std::vector<std::pair<const json*, std::string>> todo = {{&args, path}};
  while (!todo.empty()) {
    auto [j, p] = todo.back();
    todo.pop_back();
    if (j->is_object()) {
      if (j->contains("value") && j->contains("salt")) return p.empty() ? "args" : p;
      for (auto it = j->begin(); it != j->end(); ++it) {
        todo.emplace_back(&*it, join(p, it.key()));
      }
    } else if (j->is_array()) {
      for (size_t i = 0; i < j->size(); ++i) {
        todo.emplace_back(&(*j)[i], join(p, std::to_string(i)));
      }
    }
  }
  return "";
}

std::string HexOf(const Hash& h) { return ToHex(h); }

Date LocalDate(const Genesis& g, uint64_t time_ms) {
  int64_t local = static_cast<int64_t>(time_ms) + int64_t{g.utc_offset_minutes} * 60'000;
  int64_t days =
      local >= 0 ? local / static_cast<int64_t>(kDayMs)
                 : -((-local + static_cast<int64_t>(kDayMs) - 1) / static_cast<int64_t>(kDayMs));
  return CivilFromDays(days);
}

uint64_t LocalMidnightMs(const Genesis& g, const Date& d) {
  int64_t ms =
      DaysFromCivil(d) * static_cast<int64_t>(kDayMs) - int64_t{g.utc_offset_minutes} * 60'000;
  return ms < 0 ? 0 : static_cast<uint64_t>(ms);
}

bool IsWorkingDay(const Genesis& g, const Date& d) { return IsWorkingDay(g.holidays, d); }

bool IsWorkingDay(const std::vector<std::string>& holidays, const Date& d) {
  return Weekday(d) < 5 && !std::binary_search(holidays.begin(), holidays.end(), FormatDate(d));
}

uint64_t DueAfterWorkingDays(const Genesis& g, uint64_t open_ms, uint32_t n) {
  return DueAfterWorkingDays(g, g.holidays, open_ms, n);
}

uint64_t DueAfterWorkingDays(const Genesis& g, const std::vector<std::string>& holidays,
                             uint64_t open_ms, uint32_t n) {
  Date day = LocalDate(g, open_ms);
  uint64_t time_of_day = open_ms - LocalMidnightMs(g, day);
  int64_t d = DaysFromCivil(day);
  for (uint32_t found = 0; found < n;) {
    ++d;
    if (IsWorkingDay(holidays, CivilFromDays(d))) ++found;
  }
  return LocalMidnightMs(g, CivilFromDays(d)) + time_of_day;
}

std::string OrgCreditCode(const GenesisOrg& org) {
  if (!org.credit_code.empty()) return org.credit_code;
  Hash h = crypto::Sha256(AsBytes("licenced/org-code/" + org.id));
  std::string code;
  for (size_t i = 0; i < 9; ++i) code += kCreditCodeAlphabet[h[i] % 31];
  auto made = MakeCreditCode('1', '1', "370100", code);
  return made.ok() ? *made : std::string();
}

std::optional<json> Exec::GetJson(const std::string& key) const {
  auto v = state.Get(key);
  if (!v) return std::nullopt;
  json j = json::parse(v->begin(), v->end(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

Status Exec::PutJson(const std::string& key, const json& value) {
  auto bytes = CanonicalJson(value);
  if (!bytes.ok()) {
    return Status::InvalidArgument("state value " + key + ": " + bytes.status().message());
  }
  state.Put(key, ToBytes(*bytes));
  return Status::Ok();
}

uint64_t Exec::NextCounter(const std::string& name) {
  std::string key = "counter/" + name;
  uint64_t n = 0;
  if (auto v = state.Get(key)) n = std::strtoull(ToString(*v).c_str(), nullptr, 10);
  ++n;
  state.Put(key, ToBytes(std::to_string(n)));
  return n;
}

Status Exec::Emit(std::string kind, std::vector<std::string> orgs, const json& payload) {
  std::sort(orgs.begin(), orgs.end());
  orgs.erase(std::unique(orgs.begin(), orgs.end()), orgs.end());
  json p = payload;
  p["height"] = ctx.height;
  p["tx_id"] = TxIdHex();
  auto text = CanonicalJson(p);
  if (!text.ok()) {
    return Status::InvalidArgument("event " + kind + ": " + text.status().message());
  }
  events.push_back({std::move(kind), std::move(orgs), std::move(text).value()});
  return Status::Ok();
}

Status Exec::Audit(const std::string& subject, const std::string& action, const json& detail) {
  uint64_t seq = NextCounter("audit/" + subject);
  json entry = {{"seq", seq},
                {"subject", subject},
                {"height", ctx.height},
                {"tx_id", TxIdHex()},
                {"tx_index", ctx.tx_index},
                {"time_ms", ctx.block_time_ms},
                {"actor", signer.key_hex},
                {"actor_org", signer.org},
                {"actor_name", signer.name},
                {"action", action},
                {"detail", detail}};
  return PutJson("audit/" + subject + "/" + Pad(seq, 10), entry);
}

Status Exec::RequireOrgRole(std::string_view org, std::string_view role) const {
  if (signer.org != org) {
    return Status::PermissionDenied("signer " + signer.key_hex.substr(0, 16) + " belongs to org '" +
                                    signer.org + "'; this action needs a clerk of '" +
                                    std::string(org) + "'");
  }
  return RequireRole(role);
}

Status Exec::RequireRole(std::string_view role) const {
  if (signer.roles.count(std::string(role)) == 0) {
    return Status::PermissionDenied("signer " + signer.key_hex.substr(0, 16) + " of org '" +
                                    signer.org + "' lacks role '" + std::string(role) + "'");
  }
  return Status::Ok();
}

Result<Signer> ResolveSigner(const Genesis& g, const StateView& state,
                             const crypto::PublicKey& key) {
  Signer s;
  s.key = key;
  s.key_hex = ToHex(key);
  if (auto admin = FindAdminKey(g, state, key)) {
    if (!admin->active) {
      return Status::PermissionDenied("admin key " + s.key_hex.substr(0, 16) + " of org '" +
                                      admin->org + "' was replaced through governance at block " +
                                      std::to_string(admin->replaced_height) + " (by " +
                                      admin->replaced_by.substr(0, 16) + ")");
    }
    s.org = admin->org;
    s.name = admin->org + " admin";
    s.is_admin = true;
    for (auto r : {kRoleWindow, kRoleClerk, kRoleLicensing, kRoleEngraver}) {
      if (RoleAllowedInOrg(r, admin->org)) s.roles.insert(std::string(r));
    }
    return s;
  }
  auto v = state.Get("clerk/" + s.key_hex);
  if (!v) {
    return Status::PermissionDenied("signer " + s.key_hex.substr(0, 16) +
                                    " is neither an org admin in genesis nor an enrolled clerk");
  }
  json c = json::parse(v->begin(), v->end(), nullptr, false);
  if (c.is_discarded()) return Status::Internal("clerk record is not JSON");
  std::string status = c.value("status", "");
  if (status != "active") {
    return Status::PermissionDenied("clerk '" + c.value("name", "") + "' of org '" +
                                    c.value("org", "") + "' is " + status);
  }
  s.org = c.value("org", "");
  s.name = c.value("name", "");
  for (const auto& r : c["roles"]) s.roles.insert(r.get<std::string>());
  return s;
}

}  // namespace licenced::chaincode
