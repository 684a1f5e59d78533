#include "core/genesis.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace licenced {
namespace {

using nlohmann::json;

Status FieldError(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("genesis: " + field + ": " + what);
}

Result<const json*> Member(const json& obj, const std::string& path, const char* name,
                           bool required) {
  auto it = obj.find(name);
  if (it == obj.end()) {
    if (required) return FieldError(path + name, "missing");
    return static_cast<const json*>(nullptr);
  }
  return &*it;
}

Result<std::string> GetString(const json& obj, const std::string& path, const char* name) {
  LIC_ASSIGN_OR_RETURN(const json* v, Member(obj, path, name, true));
  if (!v->is_string()) return FieldError(path + name, "expected a string");
  std::string s = v->get<std::string>();
  if (s.empty()) return FieldError(path + name, "must not be empty");
  return s;
}

Result<uint64_t> GetU64(const json& obj, const std::string& path, const char* name) {
  LIC_ASSIGN_OR_RETURN(const json* v, Member(obj, path, name, true));
  if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<int64_t>() >= 0)) {
    return FieldError(path + name, "expected a non-negative integer");
  }
  return v->get<uint64_t>();
}

template <size_t N>
Result<std::array<uint8_t, N>> GetKey(const json& v, const std::string& field) {
  if (!v.is_string()) return FieldError(field, "expected a hex string");
  std::string s = v.get<std::string>();
  if (s.size() != 2 * N) {
    return FieldError(field, "expected " + std::to_string(2 * N) + " hex characters, got " +
                                 std::to_string(s.size()));
  }
  auto bytes = FromHex(s);
  if (!bytes.ok()) return FieldError(field, "not hex: " + bytes.status().message());
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

bool IsOrgId(std::string_view s) {
  if (s.empty() || s.size() > 32 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool IsTypeCode(std::string_view s) {
  if (s.empty() || s.size() > 21) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int y = std::stoi(std::string(s.substr(0, 4)));
  int m = std::stoi(std::string(s.substr(5, 2)));
  int d = std::stoi(std::string(s.substr(8, 2)));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  int max_day = kDays[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0);
  return d <= max_day;
}

// GB 32100-2015 shape and check character (the same rule as
// chaincode/identifiers.h, which core cannot depend on).
bool IsCreditCode(std::string_view s) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr int kWeights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                       29, 25, 13, 8,  24, 10, 30, 28};
  if (s.size() != 18) return false;
  int sum = 0;
  for (size_t i = 0; i < 18; ++i) {
    size_t v = kAlphabet.find(s[i]);
    if (v == std::string_view::npos) return false;
    if (i < 17) sum += static_cast<int>(v) * kWeights[i];
  }
  return s[17] == kAlphabet[(31 - sum % 31) % 31];
}

}  // namespace

Status Genesis::Validate() const {
  if (network_id.empty()) return FieldError("network_id", "must not be empty");
  if (organisations.empty()) return FieldError("organisations", "must not be empty");
  std::set<std::string> org_ids;
  std::set<crypto::PublicKey> admin_keys;
  for (size_t i = 0; i < organisations.size(); ++i) {
    const auto& o = organisations[i];
    std::string p = "organisations[" + std::to_string(i) + "].";
    if (!IsOrgId(o.id))
      return FieldError(p + "id", "expected [a-z][a-z0-9_-]{0,31}, got '" + o.id + "'");
    if (!org_ids.insert(o.id).second)
      return FieldError(p + "id", "duplicate organisation '" + o.id + "'");
    if (o.name.empty()) return FieldError(p + "name", "must not be empty");
    if (o.admin_keys.empty())
      return FieldError(p + "admin_keys", "at least one admin key is required");
    for (size_t k = 0; k < o.admin_keys.size(); ++k) {
      if (!admin_keys.insert(o.admin_keys[k]).second) {
        return FieldError(p + "admin_keys[" + std::to_string(k) + "]",
                          "key is already an admin key (of this or another organisation)");
      }
    }
    if (o.encryption_key == crypto::BoxPublicKey{})
      return FieldError(p + "encryption_key", "all zero");
    if (!o.credit_code.empty() && !IsCreditCode(o.credit_code)) {
      return FieldError(p + "credit_code",
                        "expected a GB 32100 code: 18 characters of "
                        "0-9A-HJ-NP-RTUWXY with a valid check character");
    }
  }
  if (validators.empty()) return FieldError("validators", "must not be empty");
  std::set<std::string> names;
  std::set<crypto::PublicKey> vkeys;
  for (size_t i = 0; i < validators.size(); ++i) {
    const auto& v = validators[i];
    std::string p = "validators[" + std::to_string(i) + "].";
    if (v.name.empty()) return FieldError(p + "name", "must not be empty");
    if (!names.insert(v.name).second)
      return FieldError(p + "name", "duplicate validator '" + v.name + "'");
    const GenesisOrg* org = FindOrg(v.org);
    if (org == nullptr) return FieldError(p + "org", "unknown organisation '" + v.org + "'");
    if (!org->runs_validator) {
      return FieldError(p + "org", "organisation '" + v.org + "' has runs_validator = false");
    }
    if (!vkeys.insert(v.public_key).second) return FieldError(p + "public_key", "duplicate key");
    if (v.address.empty() || v.address.find(':') == std::string::npos) {
      return FieldError(p + "address", "expected host:port");
    }
  }
  std::set<std::string> codes;
  for (size_t i = 0; i < licence_types.size(); ++i) {
    const auto& t = licence_types[i];
    std::string p = "licence_types[" + std::to_string(i) + "].";
    if (!IsTypeCode(t.code))
      return FieldError(p + "code", "expected [A-Z0-9]{1,21}, got '" + t.code + "'");
    if (!codes.insert(t.code).second)
      return FieldError(p + "code", "duplicate licence type '" + t.code + "'");
    if (t.name.empty()) return FieldError(p + "name", "must not be empty");
    if (t.issuer_orgs.empty()) return FieldError(p + "issuer_orgs", "must not be empty");
    for (size_t k = 0; k < t.issuer_orgs.size(); ++k) {
      if (FindOrg(t.issuer_orgs[k]) == nullptr) {
        return FieldError(p + "issuer_orgs[" + std::to_string(k) + "]",
                          "unknown organisation '" + t.issuer_orgs[k] + "'");
      }
    }
  }
  for (size_t i = 0; i < holidays.size(); ++i) {
    std::string f = "holidays[" + std::to_string(i) + "]";
    if (!IsDate(holidays[i]))
      return FieldError(f, "expected a real date YYYY-MM-DD, got '" + holidays[i] + "'");
    if (i > 0 && holidays[i] <= holidays[i - 1])
      return FieldError(f, "holidays must be sorted and unique");
  }
  if (utc_offset_minutes < -14 * 60 || utc_offset_minutes > 14 * 60) {
    return FieldError("utc_offset_minutes", "must be within -840..840");
  }
  if (consensus.checkpoint_interval == 0)
    return FieldError("consensus.checkpoint_interval", "must be > 0");
  if (consensus.watermark_window < consensus.checkpoint_interval) {
    return FieldError("consensus.watermark_window", "must be >= checkpoint_interval");
  }
  if (consensus.order_ahead_window == 0 ||
      consensus.order_ahead_window > consensus.watermark_window) {
    return FieldError("consensus.order_ahead_window", "must be within 1..watermark_window");
  }
  const size_t validator_orgs = ValidatorOrgs().size();
  if (governance.approval_threshold != 0 &&
      (governance.approval_threshold > validator_orgs ||
       2 * size_t{governance.approval_threshold} <= validator_orgs)) {
    return FieldError("governance.approval_threshold", "must be 0 (2f+1) or a majority of the " +
                                                           std::to_string(validator_orgs) +
                                                           " validator orgs, at most all of them");
  }
  if (governance.proposal_ttl_blocks == 0) {
    return FieldError("governance.proposal_ttl_blocks", "must be > 0");
  }
  return Status::Ok();
}

Result<Genesis> Genesis::Parse(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("genesis: not valid JSON");
  if (!j.is_object()) return FieldError("(top level)", "expected a JSON object");
  Genesis g;
  g.raw_json = std::string(text);
  LIC_ASSIGN_OR_RETURN(g.network_id, GetString(j, "", "network_id"));
  LIC_ASSIGN_OR_RETURN(g.genesis_time_ms, GetU64(j, "", "genesis_time_ms"));

  LIC_ASSIGN_OR_RETURN(const json* orgs, Member(j, "", "organisations", true));
  if (!orgs->is_array()) return FieldError("organisations", "expected an array");
  for (size_t i = 0; i < orgs->size(); ++i) {
    const json& o = (*orgs)[i];
    std::string p = "organisations[" + std::to_string(i) + "].";
    if (!o.is_object()) return FieldError(p.substr(0, p.size() - 1), "expected an object");
    GenesisOrg org;
    LIC_ASSIGN_OR_RETURN(org.id, GetString(o, p, "id"));
    LIC_ASSIGN_OR_RETURN(org.name, GetString(o, p, "name"));
    LIC_ASSIGN_OR_RETURN(const json* rv, Member(o, p, "runs_validator", true));
    if (!rv->is_boolean()) return FieldError(p + "runs_validator", "expected true or false");
    org.runs_validator = rv->get<bool>();
    LIC_ASSIGN_OR_RETURN(const json* keys, Member(o, p, "admin_keys", true));
    if (!keys->is_array()) return FieldError(p + "admin_keys", "expected an array of hex keys");
    for (size_t k = 0; k < keys->size(); ++k) {
      LIC_ASSIGN_OR_RETURN(auto key, GetKey<crypto::kPublicKeySize>(
                                         (*keys)[k], p + "admin_keys[" + std::to_string(k) + "]"));
      org.admin_keys.push_back(key);
    }
    LIC_ASSIGN_OR_RETURN(const json* ek, Member(o, p, "encryption_key", true));
    LIC_ASSIGN_OR_RETURN(org.encryption_key, GetKey<32>(*ek, p + "encryption_key"));
    LIC_ASSIGN_OR_RETURN(const json* cc, Member(o, p, "credit_code", false));
    if (cc != nullptr) {
      if (!cc->is_string()) return FieldError(p + "credit_code", "expected a string");
      org.credit_code = cc->get<std::string>();
    }
    g.organisations.push_back(std::move(org));
  }

  LIC_ASSIGN_OR_RETURN(const json* vals, Member(j, "", "validators", true));
  if (!vals->is_array()) return FieldError("validators", "expected an array");
  for (size_t i = 0; i < vals->size(); ++i) {
    const json& v = (*vals)[i];
    std::string p = "validators[" + std::to_string(i) + "].";
    if (!v.is_object()) return FieldError(p.substr(0, p.size() - 1), "expected an object");
    GenesisValidator val;
    LIC_ASSIGN_OR_RETURN(val.name, GetString(v, p, "name"));
    LIC_ASSIGN_OR_RETURN(val.org, GetString(v, p, "org"));
    LIC_ASSIGN_OR_RETURN(const json* pk, Member(v, p, "public_key", true));
    LIC_ASSIGN_OR_RETURN(val.public_key, GetKey<crypto::kPublicKeySize>(*pk, p + "public_key"));
    LIC_ASSIGN_OR_RETURN(val.address, GetString(v, p, "address"));
    g.validators.push_back(std::move(val));
  }

  LIC_ASSIGN_OR_RETURN(const json* types, Member(j, "", "licence_types", true));
  if (!types->is_array()) return FieldError("licence_types", "expected an array");
  for (size_t i = 0; i < types->size(); ++i) {
    const json& t = (*types)[i];
    std::string p = "licence_types[" + std::to_string(i) + "].";
    if (!t.is_object()) return FieldError(p.substr(0, p.size() - 1), "expected an object");
    GenesisLicenceType lt;
    LIC_ASSIGN_OR_RETURN(lt.code, GetString(t, p, "code"));
    LIC_ASSIGN_OR_RETURN(lt.name, GetString(t, p, "name"));
    LIC_ASSIGN_OR_RETURN(const json* issuers, Member(t, p, "issuer_orgs", true));
    if (!issuers->is_array()) return FieldError(p + "issuer_orgs", "expected an array of org ids");
    for (size_t k = 0; k < issuers->size(); ++k) {
      if (!(*issuers)[k].is_string()) {
        return FieldError(p + "issuer_orgs[" + std::to_string(k) + "]", "expected a string");
      }
      lt.issuer_orgs.push_back((*issuers)[k].get<std::string>());
    }
    LIC_ASSIGN_OR_RETURN(uint64_t days, GetU64(t, p, "validity_days"));
    if (days > 36600) return FieldError(p + "validity_days", "must be at most 36600");
    lt.validity_days = static_cast<uint32_t>(days);
    g.licence_types.push_back(std::move(lt));
  }

  LIC_ASSIGN_OR_RETURN(const json* hol, Member(j, "", "holidays", false));
  if (hol != nullptr) {
    if (!hol->is_array()) return FieldError("holidays", "expected an array of YYYY-MM-DD strings");
    for (size_t i = 0; i < hol->size(); ++i) {
      if (!(*hol)[i].is_string())
        return FieldError("holidays[" + std::to_string(i) + "]", "expected a string");
      g.holidays.push_back((*hol)[i].get<std::string>());
    }
  }
  LIC_ASSIGN_OR_RETURN(const json* off, Member(j, "", "utc_offset_minutes", false));
  if (off != nullptr) {
    if (!off->is_number_integer()) return FieldError("utc_offset_minutes", "expected an integer");
    g.utc_offset_minutes =
        static_cast<int32_t>(std::clamp<int64_t>(off->get<int64_t>(), -100000, 100000));
  }
  LIC_ASSIGN_OR_RETURN(const json* cons, Member(j, "", "consensus", false));
  if (cons != nullptr) {
    if (!cons->is_object()) return FieldError("consensus", "expected an object");
    LIC_ASSIGN_OR_RETURN(g.consensus.checkpoint_interval,
                         GetU64(*cons, "consensus.", "checkpoint_interval"));
    LIC_ASSIGN_OR_RETURN(g.consensus.watermark_window,
                         GetU64(*cons, "consensus.", "watermark_window"));
    LIC_ASSIGN_OR_RETURN(const json* window,
                         Member(*cons, "consensus.", "order_ahead_window", false));
    if (window != nullptr) {
      LIC_ASSIGN_OR_RETURN(g.consensus.order_ahead_window,
                           GetU64(*cons, "consensus.", "order_ahead_window"));
    }
  }
  LIC_ASSIGN_OR_RETURN(const json* gov, Member(j, "", "governance", false));
  if (gov != nullptr) {
    if (!gov->is_object()) return FieldError("governance", "expected an object");
    LIC_ASSIGN_OR_RETURN(const json* threshold,
                         Member(*gov, "governance.", "approval_threshold", false));
    if (threshold != nullptr) {
      LIC_ASSIGN_OR_RETURN(uint64_t t, GetU64(*gov, "governance.", "approval_threshold"));
      if (t > 1000) return FieldError("governance.approval_threshold", "too large");
      g.governance.approval_threshold = static_cast<uint32_t>(t);
    }
    LIC_ASSIGN_OR_RETURN(const json* ttl,
                         Member(*gov, "governance.", "proposal_ttl_blocks", false));
    if (ttl != nullptr) {
      LIC_ASSIGN_OR_RETURN(g.governance.proposal_ttl_blocks,
                           GetU64(*gov, "governance.", "proposal_ttl_blocks"));
    }
  }
  LIC_RETURN_IF_ERROR(g.Validate());
  return g;
}

Result<Genesis> Genesis::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("genesis: cannot open '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IoError("genesis: cannot read '" + path + "'");
  auto g = Parse(ss.str());
  if (!g.ok()) return Status(g.status().code(), g.status().message() + " (in " + path + ")");
  return g;
}

Hash Genesis::ComputeHash() const {
  if (!raw_json.empty()) return crypto::Sha256(AsBytes(raw_json));
  std::string j = ToJson();
  return crypto::Sha256(AsBytes(j));
}

std::string Genesis::ToJson() const {
  json j = json::object();
  j["network_id"] = network_id;
  j["genesis_time_ms"] = genesis_time_ms;
  json orgs = json::array();
  for (const auto& o : organisations) {
    json jo = {{"id", o.id}, {"name", o.name}, {"runs_validator", o.runs_validator}};
    json keys = json::array();
    for (const auto& k : o.admin_keys) keys.push_back(ToHex(k));
    jo["admin_keys"] = keys;
    jo["encryption_key"] = ToHex(o.encryption_key);
    if (!o.credit_code.empty()) jo["credit_code"] = o.credit_code;
    orgs.push_back(jo);
  }
  j["organisations"] = orgs;
  json vals = json::array();
  for (const auto& v : validators) {
    vals.push_back({{"name", v.name},
                    {"org", v.org},
                    {"public_key", ToHex(v.public_key)},
                    {"address", v.address}});
  }
  j["validators"] = vals;
  json types = json::array();
  for (const auto& t : licence_types) {
    types.push_back({{"code", t.code},
                     {"name", t.name},
                     {"issuer_orgs", t.issuer_orgs},
                     {"validity_days", t.validity_days}});
  }
  j["licence_types"] = types;
  j["holidays"] = holidays;
  j["utc_offset_minutes"] = utc_offset_minutes;
  j["consensus"] = {{"checkpoint_interval", consensus.checkpoint_interval},
                    {"watermark_window", consensus.watermark_window}};
  if (consensus.order_ahead_window != 1) {
    j["consensus"]["order_ahead_window"] = consensus.order_ahead_window;
  }
  if (!governance.IsDefault()) {
    j["governance"] = {{"approval_threshold", governance.approval_threshold},
                       {"proposal_ttl_blocks", governance.proposal_ttl_blocks}};
  }
  return j.dump(2) + "\n";
}

bool IsValidOrgId(std::string_view id) { return IsOrgId(id); }
bool IsValidDate(std::string_view yyyy_mm_dd) { return IsDate(yyyy_mm_dd); }
bool IsValidCreditCode(std::string_view code) { return IsCreditCode(code); }

std::vector<std::string> Genesis::ValidatorOrgs() const {
  std::vector<std::string> orgs;
  for (const auto& v : validators) {
    if (std::find(orgs.begin(), orgs.end(), v.org) == orgs.end()) orgs.push_back(v.org);
  }
  return orgs;
}

uint32_t Genesis::DefaultApprovalThreshold() const {
  if (governance.approval_threshold != 0) return governance.approval_threshold;
  const auto n = static_cast<uint32_t>(ValidatorOrgs().size());
  return n == 0 ? 1 : 2 * ((n - 1) / 3) + 1;
}

const GenesisOrg* Genesis::FindOrg(std::string_view id) const {
  for (const auto& o : organisations) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

const GenesisLicenceType* Genesis::FindLicenceType(std::string_view code) const {
  for (const auto& t : licence_types) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

const GenesisOrg* Genesis::OrgOfAdmin(const crypto::PublicKey& key) const {
  for (const auto& o : organisations) {
    if (std::find(o.admin_keys.begin(), o.admin_keys.end(), key) != o.admin_keys.end()) return &o;
  }
  return nullptr;
}

bool Genesis::IsHoliday(std::string_view day) const {
  return std::binary_search(holidays.begin(), holidays.end(), day);
}

crypto::Seed DevSeed(std::string_view purpose, std::string_view name, uint32_t index) {
  std::string s = "licenced/dev/" + std::string(purpose) + "/" + std::string(name) + "/" +
                  std::to_string(index);
  return crypto::Sha256(AsBytes(s));
}

std::vector<GenesisLicenceType> DefaultLicenceTypes() {
  return {
      {"BL", "Business licence", {"market"}, 0},
      {"BMC", "Birth medical certificate", {"health"}, 0},
      {"VAC", "Vaccination certificate", {"health"}, 0},
      {"HRE", "Household register entry", {"police"}, 0},
      {"SSC", "Social security card", {"social"}, 3650},
  };
}

DevNetwork MakeDevNetwork(uint64_t genesis_time_ms, std::string network_id) {
  struct OrgDef {
    const char* id;
    const char* name;
    bool validator;
  };
  static constexpr OrgDef kOrgs[] = {
      {"market", "Market Supervision Bureau", true},
      {"police", "Public Security Bureau", true},
      {"social", "Human Resources and Social Security Bureau", true},
      {"tax", "Tax Bureau", true},
      {"health", "Health Commission and Hospitals", false},
      {"bank", "Commercial Banks", false},
  };
  DevNetwork net;
  Genesis& g = net.genesis;
  g.network_id = std::move(network_id);
  g.genesis_time_ms = genesis_time_ms;
  uint16_t port = 7001;
  for (const auto& def : kOrgs) {
    crypto::KeyPair admin = crypto::KeyPair::FromSeed(DevSeed("admin", def.id));
    crypto::BoxKeyPair enc = crypto::BoxKeyPair::FromSeed(DevSeed("encryption", def.id));
    GenesisOrg org;
    org.id = def.id;
    org.name = def.name;
    org.runs_validator = def.validator;
    org.admin_keys = {admin.public_key()};
    org.encryption_key = enc.public_key();
    g.organisations.push_back(org);
    net.admin_keys.emplace(def.id, admin);
    net.encryption_keys.emplace(def.id, enc);
    if (def.validator) {
      crypto::KeyPair vk = crypto::KeyPair::FromSeed(DevSeed("validator", def.id));
      g.validators.push_back({std::string(def.id) + "-0", def.id, vk.public_key(),
                              "127.0.0.1:" + std::to_string(port++)});
      net.validator_keys.push_back(vk);
    }
  }
  g.licence_types = DefaultLicenceTypes();
  g.holidays = {"2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
                "2026-04-06", "2026-05-01", "2026-05-04", "2026-05-05", "2026-06-19", "2026-09-25",
                "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07", "2027-01-01"};
  return net;
}

}  // namespace licenced
