#include "chaincode/registry.h"

#include <algorithm>

namespace licenced::chaincode {
namespace {

using json = nlohmann::json;

std::optional<json> Load(const StateView& s, std::string_view key) {
  auto v = s.Get(key);
  if (!v) return std::nullopt;
  json j = json::parse(v->begin(), v->end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::string Key(std::string_view prefix, std::string_view rest) {
  std::string k(prefix);
  k += rest;
  return k;
}

}  // namespace

json OrgToJson(const GenesisOrg& org) {
  json keys = json::array();
  for (const auto& k : org.admin_keys) keys.push_back(ToHex(k));
  json j = {{"id", org.id},
            {"name", org.name},
            {"runs_validator", org.runs_validator},
            {"admin_keys", keys},
            {"encryption_key", ToHex(org.encryption_key)}};
  if (!org.credit_code.empty()) j["credit_code"] = org.credit_code;
  return j;
}

Result<GenesisOrg> OrgFromJson(const json& j) {
  GenesisOrg org;
  if (!j.is_object()) return Status::Internal("governance org record is not an object");
  org.id = j.value("id", "");
  org.name = j.value("name", "");
  org.runs_validator = j.value("runs_validator", false);
  org.credit_code = j.value("credit_code", "");
  for (const auto& k : j.value("admin_keys", json::array())) {
    auto bytes = FromHex(k.get<std::string>());
    if (!bytes.ok() || bytes->size() != 32) return Status::Internal("bad admin key in org record");
    crypto::PublicKey key{};
    std::copy(bytes->begin(), bytes->end(), key.begin());
    org.admin_keys.push_back(key);
  }
  auto enc = FromHex(j.value("encryption_key", ""));
  if (!enc.ok() || enc->size() != 32) return Status::Internal("bad encryption key in org record");
  std::copy(enc->begin(), enc->end(), org.encryption_key.begin());
  return org;
}

std::optional<GenesisOrg> FindOrg(const Genesis& g, const StateView& s, std::string_view id) {
  if (auto j = Load(s, Key(kGovOrgPrefix, id))) {
    auto org = OrgFromJson(*j);
    if (org.ok()) return *org;
  }
  if (const GenesisOrg* o = g.FindOrg(id)) return *o;
  return std::nullopt;
}

std::vector<GenesisOrg> AllOrgs(const Genesis& g, const StateView& s) {
  std::vector<GenesisOrg> orgs;
  for (const auto& o : g.organisations) orgs.push_back(*FindOrg(g, s, o.id));
  for (const auto& [key, value] : s.Scan(kGovOrgPrefix, SIZE_MAX)) {
    std::string id = key.substr(kGovOrgPrefix.size());
    if (g.FindOrg(id) != nullptr) continue;
    json j = json::parse(value.begin(), value.end(), nullptr, false);
    auto org = OrgFromJson(j);
    if (org.ok()) orgs.push_back(*org);
  }
  return orgs;
}

std::optional<AdminKey> FindAdminKey(const Genesis& g, const StateView& s,
                                     const crypto::PublicKey& key) {
  if (auto j = Load(s, Key(kGovAdminPrefix, ToHex(key)))) {
    AdminKey a;
    a.org = j->value("org", "");
    a.active = j->value("status", "") == "active";
    a.replaced_height = j->value("height", uint64_t{0});
    a.replaced_by = j->value("replaced_by", "");
    return a;
  }
  if (const GenesisOrg* o = g.OrgOfAdmin(key)) return AdminKey{o->id, true, 0, ""};
  return std::nullopt;
}

std::vector<std::string> IssuerOrgs(const Genesis& g, const StateView& s, std::string_view code) {
  if (auto j = Load(s, Key(kGovLicenceTypePrefix, code))) {
    return j->value("issuer_orgs", std::vector<std::string>{});
  }
  if (const GenesisLicenceType* t = g.FindLicenceType(code)) return t->issuer_orgs;
  return {};
}

bool MayIssue(const Genesis& g, const StateView& s, std::string_view code, std::string_view org) {
  auto orgs = IssuerOrgs(g, s, code);
  return std::find(orgs.begin(), orgs.end(), org) != orgs.end();
}

std::vector<std::string> Holidays(const Genesis& g, const StateView& s) {
  if (auto j = Load(s, kGovHolidaysKey)) return j->value("holidays", std::vector<std::string>{});
  return g.holidays;
}

uint32_t ApprovalThreshold(const Genesis& g, const StateView& s) {
  if (auto j = Load(s, kGovThresholdKey)) {
    return j->value("approval_threshold", g.DefaultApprovalThreshold());
  }
  return g.DefaultApprovalThreshold();
}

std::string KeyInUse(const Genesis& g, const StateView& s, const crypto::PublicKey& key) {
  if (auto a = FindAdminKey(g, s, key)) {
    return std::string(a->active ? "an admin key" : "a replaced admin key") + " of org '" + a->org +
           "'";
  }
  for (const auto& v : g.validators) {
    if (v.public_key == key) return "the consensus key of validator '" + v.name + "'";
  }
  if (auto c = Load(s, "clerk/" + ToHex(key))) {
    return "the key of clerk '" + c->value("name", "") + "' of org '" + c->value("org", "") + "'";
  }
  return "";
}

}  // namespace licenced::chaincode
