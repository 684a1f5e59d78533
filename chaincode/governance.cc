// governance chaincode: org admins propose changes to the network's membership
// and rules; a proposal applies when admins of a threshold of validator orgs
// have approved it, and expires if it does not within the genesis'
// proposal_ttl_blocks. What applies is read by every permission check through
// chaincode/registry.h. docs/chaincode.md "Governance" lists the kinds and the
// refusals.
//
// Changes to the validator set (add_validator, remove_validator,
// rotate_validator_key, a validator org) are checked and then refused: they
// need consensus epochs (the set a quorum is counted over changes at a
// defined height), which consensus does not run yet. Accepting them on the
// ledger while consensus kept counting the genesis set would make the ledger
// say something the network does not do.
#include <algorithm>
#include <functional>
#include <set>

#include "chaincode/exec.h"
#include "chaincode/governance.h"
#include "chaincode/registry.h"

namespace licenced::chaincode {
namespace {

constexpr size_t kMaxAdminKeys = 8;
constexpr size_t kMaxHolidays = 1000;
constexpr size_t kMinValidators = 4;

std::string ProposalKey(uint64_t id) {
  std::string n = std::to_string(id);
  if (n.size() < 10) n.insert(0, 10 - n.size(), '0');
  return std::string(kGovProposalPrefix) + n;
}

std::string Short(const std::string& hex) { return hex.substr(0, 16); }

Status RequireActiveAdmin(const Exec& e) {
  if (!e.signer.is_admin) {
    return Status::PermissionDenied(
        "only an org admin may propose or approve governance changes; "
        "signer " +
        Short(e.signer.key_hex) + " is a clerk of '" + e.signer.org + "'");
  }
  return Status::Ok();
}

bool IsValidatorOrg(const Genesis& g, const std::string& org) {
  auto orgs = g.ValidatorOrgs();
  return std::find(orgs.begin(), orgs.end(), org) != orgs.end();
}

Result<std::vector<crypto::PublicKey>> ReqKeyList(const json& obj, const std::string& field) {
  LIC_ASSIGN_OR_RETURN(std::vector<std::string> hexes, ReqStringList(obj, field));
  if (hexes.size() > kMaxAdminKeys) {
    return Status::InvalidArgument(field + ": at most " + std::to_string(kMaxAdminKeys) + " keys");
  }
  std::vector<crypto::PublicKey> keys;
  std::set<crypto::PublicKey> seen;
  for (size_t i = 0; i < hexes.size(); ++i) {
    std::string f = field + "[" + std::to_string(i) + "]";
    LIC_ASSIGN_OR_RETURN(crypto::PublicKey k, ParsePublicKeyHex(hexes[i], f));
    if (!seen.insert(k).second) return Status::InvalidArgument(f + ": duplicate key");
    keys.push_back(k);
  }
  return keys;
}

Status KeyFree(const Exec& e, const crypto::PublicKey& key, const std::string& field) {
  std::string use = KeyInUse(e.genesis, e.state, key);
  if (!use.empty()) {
    return Status::AlreadyExists(field + ": key " + Short(ToHex(key)) + " is already " + use);
  }
  return Status::Ok();
}

// One kind of change: checks `change` against the state now, and applies it.
// Check is called when proposed and again when the last approval arrives
// (another proposal may have changed the state in between).
struct Change {
  std::string summary;
  std::function<Status(Exec&)> apply;
};

Result<Change> CheckAddOrg(const Exec& e, const json& c) {
  LIC_ASSIGN_OR_RETURN(std::string id, ReqString(c, "id", 32));
  if (!licenced::IsValidOrgId(id)) {
    return Status::InvalidArgument("change.id: expected [a-z][a-z0-9_-]{0,31}, got '" + id + "'");
  }
  LIC_ASSIGN_OR_RETURN(std::string name, ReqString(c, "name", 128));
  if (name.empty()) return Status::InvalidArgument("change.name: must not be empty");
  if (c.value("runs_validator", false)) {
    return Status::FailedPrecondition(
        "change.runs_validator: a validator org joins with its node through an epoch change of "
        "the validator set, which this network does not run yet; add the org as a member");
  }
  LIC_ASSIGN_OR_RETURN(std::vector<crypto::PublicKey> keys, ReqKeyList(c, "admin_keys"));
  LIC_ASSIGN_OR_RETURN(std::string enc_hex, ReqString(c, "encryption_key", 64));
  auto enc = FromHex(enc_hex);
  if (!enc.ok() || enc->size() != 32) {
    return Status::InvalidArgument("change.encryption_key: expected 64 hex characters");
  }
  GenesisOrg org;
  org.id = id;
  org.name = name;
  org.admin_keys = keys;
  std::copy(enc->begin(), enc->end(), org.encryption_key.begin());
  if (org.encryption_key == crypto::BoxPublicKey{}) {
    return Status::InvalidArgument("change.encryption_key: all zero");
  }
  LIC_ASSIGN_OR_RETURN(auto code, OptString(c, "credit_code", 18));
  org.credit_code = code.value_or("");
  if (!org.credit_code.empty() && !licenced::IsValidCreditCode(org.credit_code)) {
    return Status::InvalidArgument("change.credit_code: not a valid GB 32100 code");
  }
  const std::string my_code = OrgCreditCode(org);
  for (const auto& other : AllOrgs(e.genesis, e.state)) {
    if (other.id == id) return Status::AlreadyExists("change.id: org '" + id + "' already exists");
    if (other.name == name) {
      return Status::AlreadyExists("change.name: org '" + other.id + "' is already named '" + name +
                                   "'");
    }
    if (OrgCreditCode(other) == my_code) {
      return Status::AlreadyExists("change.credit_code: " + my_code + " is org '" + other.id +
                                   "''s code");
    }
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    LIC_RETURN_IF_ERROR(KeyFree(e, keys[i], "change.admin_keys[" + std::to_string(i) + "]"));
  }
  Change ch;
  ch.summary = "add member org '" + id + "' (" + name + ") with " + std::to_string(keys.size()) +
               " admin key" + (keys.size() == 1 ? "" : "s");
  ch.apply = [org](Exec& x) -> Status {
    LIC_RETURN_IF_ERROR(x.PutJson(std::string(kGovOrgPrefix) + org.id, OrgToJson(org)));
    for (const auto& k : org.admin_keys) {
      LIC_RETURN_IF_ERROR(
          x.PutJson(std::string(kGovAdminPrefix) + ToHex(k),
                    {{"org", org.id}, {"status", "active"}, {"height", x.ctx.height}}));
    }
    return x.Audit("org/" + org.id, "org_added", {{"name", org.name}});
  };
  return ch;
}

Result<Change> CheckReplaceAdminKey(const Exec& e, const json& c) {
  LIC_ASSIGN_OR_RETURN(std::string org_id, ReqString(c, "org", 32));
  auto org = FindOrg(e.genesis, e.state, org_id);
  if (!org) return Status::NotFound("change.org: no organisation '" + org_id + "'");
  LIC_ASSIGN_OR_RETURN(std::string old_hex, ReqString(c, "old_key", 64));
  LIC_ASSIGN_OR_RETURN(crypto::PublicKey old_key, ParsePublicKeyHex(old_hex, "change.old_key"));
  LIC_ASSIGN_OR_RETURN(std::string new_hex, ReqString(c, "new_key", 64));
  LIC_ASSIGN_OR_RETURN(crypto::PublicKey new_key, ParsePublicKeyHex(new_hex, "change.new_key"));
  auto it = std::find(org->admin_keys.begin(), org->admin_keys.end(), old_key);
  if (it == org->admin_keys.end()) {
    return Status::NotFound("change.old_key: " + Short(ToHex(old_key)) +
                            " is not an admin key of org '" + org_id + "'");
  }
  LIC_RETURN_IF_ERROR(KeyFree(e, new_key, "change.new_key"));
  Change ch;
  ch.summary = "replace admin key " + Short(ToHex(old_key)) + " of org '" + org_id + "' with " +
               Short(ToHex(new_key));
  GenesisOrg updated = *org;
  updated.admin_keys[static_cast<size_t>(it - org->admin_keys.begin())] = new_key;
  ch.apply = [updated, old_key, new_key](Exec& x) -> Status {
    LIC_RETURN_IF_ERROR(x.PutJson(std::string(kGovOrgPrefix) + updated.id, OrgToJson(updated)));
    LIC_RETURN_IF_ERROR(x.PutJson(std::string(kGovAdminPrefix) + ToHex(old_key),
                                  {{"org", updated.id},
                                   {"status", "replaced"},
                                   {"height", x.ctx.height},
                                   {"replaced_by", ToHex(new_key)}}));
    LIC_RETURN_IF_ERROR(
        x.PutJson(std::string(kGovAdminPrefix) + ToHex(new_key),
                  {{"org", updated.id}, {"status", "active"}, {"height", x.ctx.height}}));
    return x.Audit("org/" + updated.id, "admin_key_replaced",
                   {{"old_key", ToHex(old_key)}, {"new_key", ToHex(new_key)}});
  };
  return ch;
}

Result<Change> CheckSetIssuers(const Exec& e, const json& c) {
  LIC_ASSIGN_OR_RETURN(std::string type, ReqString(c, "type", 21));
  if (e.genesis.FindLicenceType(type) == nullptr) {
    return Status::NotFound("change.type: no licence type '" + type + "'");
  }
  LIC_ASSIGN_OR_RETURN(std::vector<std::string> orgs, ReqStringList(c, "issuer_orgs"));
  std::sort(orgs.begin(), orgs.end());
  if (std::adjacent_find(orgs.begin(), orgs.end()) != orgs.end()) {
    return Status::InvalidArgument("change.issuer_orgs: duplicate org");
  }
  for (const auto& o : orgs) {
    if (!FindOrg(e.genesis, e.state, o)) {
      return Status::NotFound("change.issuer_orgs: no organisation '" + o + "'");
    }
  }
  auto now = IssuerOrgs(e.genesis, e.state, type);
  std::sort(now.begin(), now.end());
  if (now == orgs) {
    return Status::FailedPrecondition("change.issuer_orgs: already the issuers of '" + type + "'");
  }
  std::string list;
  for (const auto& o : orgs) list += (list.empty() ? "" : ", ") + o;
  Change ch;
  ch.summary = "let " + list + " issue licence type '" + type + "'";
  ch.apply = [type, orgs](Exec& x) -> Status {
    LIC_RETURN_IF_ERROR(
        x.PutJson(std::string(kGovLicenceTypePrefix) + type, {{"issuer_orgs", orgs}}));
    return x.Audit("licence_type/" + type, "issuers_changed", {{"issuer_orgs", orgs}});
  };
  return ch;
}

Result<Change> CheckSetHolidays(const Exec&, const json& c) {
  LIC_ASSIGN_OR_RETURN(std::vector<std::string> days,
                       ReqStringList(c, "holidays", /*allow_empty=*/true));
  if (days.size() > kMaxHolidays) {
    return Status::InvalidArgument("change.holidays: at most " + std::to_string(kMaxHolidays));
  }
  for (size_t i = 0; i < days.size(); ++i) {
    std::string f = "change.holidays[" + std::to_string(i) + "]";
    if (!licenced::IsValidDate(days[i])) {
      return Status::InvalidArgument(f + ": expected a real date YYYY-MM-DD, got '" + days[i] +
                                     "'");
    }
    if (i > 0 && days[i] <= days[i - 1]) {
      return Status::InvalidArgument(f + ": holidays must be sorted and unique");
    }
  }
  Change ch;
  ch.summary = "set the holiday list to " + std::to_string(days.size()) + " dates" +
               (days.empty() ? "" : " (" + days.front() + " .. " + days.back() + ")");
  ch.apply = [days](Exec& x) -> Status {
    LIC_RETURN_IF_ERROR(x.PutJson(std::string(kGovHolidaysKey), {{"holidays", days}}));
    return x.Audit("holidays", "holidays_changed", {{"count", days.size()}});
  };
  return ch;
}

Result<Change> CheckSetThreshold(const Exec& e, const json& c) {
  const auto n = static_cast<int64_t>(e.genesis.ValidatorOrgs().size());
  LIC_ASSIGN_OR_RETURN(int64_t t, ReqInt(c, "approval_threshold", 1, 1000));
  if (t > n || 2 * t <= n) {
    return Status::InvalidArgument("change.approval_threshold: must be a majority of the " +
                                   std::to_string(n) + " validator orgs, at most all of them");
  }
  const uint32_t now = ApprovalThreshold(e.genesis, e.state);
  if (static_cast<uint32_t>(t) == now) {
    return Status::FailedPrecondition("change.approval_threshold: already " + std::to_string(t));
  }
  Change ch;
  ch.summary =
      "approvals needed for a proposal: " + std::to_string(now) + " -> " + std::to_string(t);
  ch.apply = [t](Exec& x) -> Status {
    LIC_RETURN_IF_ERROR(x.PutJson(std::string(kGovThresholdKey), {{"approval_threshold", t}}));
    return x.Audit("governance", "threshold_changed", {{"approval_threshold", t}});
  };
  return ch;
}

const GenesisValidator* FindValidator(const Genesis& g, const std::string& name) {
  for (const auto& v : g.validators) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

Status EpochsNotYet(const std::string& kind) {
  return Status::FailedPrecondition(
      kind +
      ": validator-set changes take effect through a consensus epoch change, which this network "
      "does not run yet; the validator set stays as in the genesis");
}

Result<Change> CheckAddValidator(const Exec& e, const json& c) {
  LIC_ASSIGN_OR_RETURN(std::string name, ReqString(c, "name", 64));
  LIC_ASSIGN_OR_RETURN(std::string hex, ReqString(c, "public_key", 64));
  LIC_ASSIGN_OR_RETURN(crypto::PublicKey key, ParsePublicKeyHex(hex, "change.public_key"));
  if (FindValidator(e.genesis, name) != nullptr) {
    return Status::AlreadyExists("change.name: validator '" + name + "' already exists");
  }
  LIC_RETURN_IF_ERROR(KeyFree(e, key, "change.public_key"));
  return EpochsNotYet("add_validator");
}

Result<Change> CheckRemoveValidator(const Exec& e, const json& c) {
  LIC_ASSIGN_OR_RETURN(std::string name, ReqString(c, "name", 64));
  if (FindValidator(e.genesis, name) == nullptr) {
    return Status::NotFound("change.name: no validator '" + name + "'");
  }
  if (e.genesis.validators.size() - 1 < kMinValidators) {
    return Status::FailedPrecondition("change.name: removing '" + name + "' would leave " +
                                      std::to_string(e.genesis.validators.size() - 1) +
                                      " validators; a BFT network needs at " + "least " +
                                      std::to_string(kMinValidators) + " (3f + 1 with f = 1)");
  }
  return EpochsNotYet("remove_validator");
}

Result<Change> CheckRotateValidatorKey(const Exec& e, const json& c) {
  LIC_ASSIGN_OR_RETURN(std::string name, ReqString(c, "name", 64));
  if (FindValidator(e.genesis, name) == nullptr) {
    return Status::NotFound("change.name: no validator '" + name + "'");
  }
  LIC_ASSIGN_OR_RETURN(std::string hex, ReqString(c, "public_key", 64));
  LIC_ASSIGN_OR_RETURN(crypto::PublicKey key, ParsePublicKeyHex(hex, "change.public_key"));
  LIC_RETURN_IF_ERROR(KeyFree(e, key, "change.public_key"));
  return EpochsNotYet("rotate_validator_key");
}

Result<Change> CheckChange(const Exec& e, const std::string& kind, const json& change) {
  if (!change.is_object()) return Status::InvalidArgument("change: expected an object");
  if (kind == "add_org") return CheckAddOrg(e, change);
  if (kind == "replace_admin_key") return CheckReplaceAdminKey(e, change);
  if (kind == "set_issuers") return CheckSetIssuers(e, change);
  if (kind == "set_holidays") return CheckSetHolidays(e, change);
  if (kind == "set_threshold") return CheckSetThreshold(e, change);
  if (kind == "add_validator") return CheckAddValidator(e, change);
  if (kind == "remove_validator") return CheckRemoveValidator(e, change);
  if (kind == "rotate_validator_key") return CheckRotateValidatorKey(e, change);
  return Status::InvalidArgument("kind: unknown governance change '" + kind + "' (" +
                                 std::string(kGovernanceKinds) + ")");
}

uint64_t ApprovalsOf(const json& proposal) { return proposal["approvals"].size(); }

// Records the signer's approval; applies the change when the threshold is met.
Status AddApproval(Exec& e, json& p, const std::string& key) {
  p["approvals"].push_back({{"org", e.signer.org},
                            {"key", e.signer.key_hex},
                            {"height", e.ctx.height},
                            {"time_ms", e.ctx.block_time_ms}});
  const uint32_t threshold = ApprovalThreshold(e.genesis, e.state);
  p["threshold"] = threshold;
  const std::string subject = "gov/proposal/" + std::to_string(p["id"].get<uint64_t>());
  if (ApprovalsOf(p) >= threshold) {
    LIC_ASSIGN_OR_RETURN(Change ch, CheckChange(e, p["kind"], p["change"]));
    LIC_RETURN_IF_ERROR(ch.apply(e));
    p["status"] = "applied";
    p["applied_height"] = e.ctx.height;
    LIC_RETURN_IF_ERROR(e.Audit(subject, "apply", {{"summary", ch.summary}}));
    LIC_RETURN_IF_ERROR(
        e.Emit("governance_applied", {},
               {{"proposal", p["id"]}, {"kind", p["kind"]}, {"summary", ch.summary}}));
  }
  return e.PutJson(key, p);
}

Status Propose(Exec& e) {
  LIC_RETURN_IF_ERROR(RequireActiveAdmin(e));
  LIC_ASSIGN_OR_RETURN(std::string kind, ReqString(e.args, "kind", 32));
  if (!e.args.contains("change")) return Status::InvalidArgument("change: missing");
  const json& change = e.args["change"];
  LIC_ASSIGN_OR_RETURN(auto reason, OptString(e.args, "reason", 512));
  LIC_ASSIGN_OR_RETURN(Change ch, CheckChange(e, kind, change));
  const uint64_t id = e.NextCounter("gov-proposal");
  json p = {{"id", id},
            {"kind", kind},
            {"change", change},
            {"summary", ch.summary},
            {"reason", reason.value_or("")},
            {"proposer_org", e.signer.org},
            {"proposer_key", e.signer.key_hex},
            {"proposed_height", e.ctx.height},
            {"proposed_at_ms", e.ctx.block_time_ms},
            {"expires_height", e.ctx.height + e.genesis.governance.proposal_ttl_blocks},
            {"threshold", ApprovalThreshold(e.genesis, e.state)},
            {"approvals", json::array()},
            {"status", "open"},
            {"applied_height", 0}};
  const std::string key = ProposalKey(id);
  const std::string subject = "gov/proposal/" + std::to_string(id);
  LIC_RETURN_IF_ERROR(e.Audit(subject, "propose", {{"kind", kind}, {"summary", ch.summary}}));
  LIC_RETURN_IF_ERROR(e.Emit("governance_proposed", {},
                             {{"proposal", id}, {"kind", kind}, {"summary", ch.summary}}));
  // A validator org's admin approves what it proposes.
  if (IsValidatorOrg(e.genesis, e.signer.org)) {
    LIC_RETURN_IF_ERROR(e.Audit(subject, "approve", {{"org", e.signer.org}}));
    LIC_RETURN_IF_ERROR(AddApproval(e, p, key));
  } else {
    LIC_RETURN_IF_ERROR(e.PutJson(key, p));
  }
  e.result = p;
  return Status::Ok();
}

Status Approve(Exec& e) {
  LIC_RETURN_IF_ERROR(RequireActiveAdmin(e));
  LIC_ASSIGN_OR_RETURN(int64_t id, ReqInt(e.args, "proposal", 1, int64_t{1} << 53));
  const std::string key = ProposalKey(static_cast<uint64_t>(id));
  auto p = e.GetJson(key);
  if (!p) return Status::NotFound("no governance proposal " + std::to_string(id));
  if (!IsValidatorOrg(e.genesis, e.signer.org)) {
    return Status::PermissionDenied("org '" + e.signer.org +
                                    "' runs no validator; only validator orgs approve proposals");
  }
  if ((*p)["status"] == "applied") {
    return Status::FailedPrecondition("proposal " + std::to_string(id) +
                                      " was already applied at block " +
                                      std::to_string((*p)["applied_height"].get<uint64_t>()));
  }
  const uint64_t expires = (*p)["expires_height"];
  if (e.ctx.height > expires) {
    return Status::FailedPrecondition("proposal " + std::to_string(id) + " expired at block " +
                                      std::to_string(expires));
  }
  for (const auto& a : (*p)["approvals"]) {
    if (a["org"] == e.signer.org) {
      return Status::AlreadyExists("org '" + e.signer.org + "' already approved proposal " +
                                   std::to_string(id) + " at block " +
                                   std::to_string(a["height"].get<uint64_t>()));
    }
  }
  LIC_RETURN_IF_ERROR(
      e.Audit("gov/proposal/" + std::to_string(id), "approve", {{"org", e.signer.org}}));
  LIC_RETURN_IF_ERROR(AddApproval(e, *p, key));
  e.result = *p;
  return Status::Ok();
}

}  // namespace

Status ExecGovernance(Exec& e) {
  const std::string& m = e.tx.method;
  if (m == "propose") return Propose(e);
  if (m == "approve") return Approve(e);
  return Status::InvalidArgument("governance: unknown method '" + m + "' (propose, approve)");
}

bool IsGovernanceQuery(std::string_view method) {
  return method == "proposal" || method == "proposals" || method == "governance" ||
         method == "validators";
}

Result<json> GovernanceQuery(const Genesis& g, std::string_view method, const json& args,
                             const StateView& s) {
  if (method == "proposal") {
    LIC_ASSIGN_OR_RETURN(int64_t id, ReqInt(args, "proposal", 1, int64_t{1} << 53));
    auto v = s.Get(ProposalKey(static_cast<uint64_t>(id)));
    if (!v) return Status::NotFound("no governance proposal " + std::to_string(id));
    return json::parse(v->begin(), v->end());
  }
  if (method == "proposals") {
    // {"status"?: "open"|"applied", "limit"?: 1..1000 (default 100)} -> newest first
    int64_t limit = 100;
    if (args.contains("limit")) {
      LIC_ASSIGN_OR_RETURN(limit, ReqInt(args, "limit", 1, 1000));
    }
    std::string status;
    if (args.contains("status")) {
      LIC_ASSIGN_OR_RETURN(status, ReqString(args, "status", 16));
      if (status != "open" && status != "applied") {
        return Status::InvalidArgument("status: open or applied");
      }
    }
    json out = json::array();
    for (const auto& [k, v] : s.Scan(kGovProposalPrefix, SIZE_MAX)) {
      json p = json::parse(v.begin(), v.end());
      if (status.empty() || p["status"] == status) out.push_back(p);
    }
    std::reverse(out.begin(), out.end());
    if (out.size() > static_cast<size_t>(limit)) out.erase(out.begin() + limit, out.end());
    return out;
  }
  if (method == "governance") {
    json orgs = json::array();
    for (const auto& o : AllOrgs(g, s)) {
      json j = OrgToJson(o);
      j["credit_code"] = OrgCreditCode(o);
      j["from_genesis"] = g.FindOrg(o.id) != nullptr;
      orgs.push_back(j);
    }
    json types = json::array();
    for (const auto& t : g.licence_types) {
      types.push_back({{"code", t.code}, {"issuer_orgs", IssuerOrgs(g, s, t.code)}});
    }
    return json{{"approval_threshold", ApprovalThreshold(g, s)},
                {"proposal_ttl_blocks", g.governance.proposal_ttl_blocks},
                {"validator_orgs", g.ValidatorOrgs()},
                {"organisations", orgs},
                {"licence_types", types},
                {"holidays", Holidays(g, s)}};
  }
  if (method == "validators") {
    // The set consensus counts: the genesis' until epochs exist (epoch 0 from height 0).
    json vals = json::array();
    for (size_t i = 0; i < g.validators.size(); ++i) {
      const auto& v = g.validators[i];
      vals.push_back({{"replica", i},
                      {"name", v.name},
                      {"org", v.org},
                      {"public_key", ToHex(v.public_key)},
                      {"address", v.address}});
    }
    const size_t n = g.validators.size();
    const size_t f = (n - 1) / 3;
    return json{{"epoch", 0}, {"since_height", 0},   {"n", n},
                {"f", f},     {"quorum", 2 * f + 1}, {"validators", vals}};
  }
  return Status::InvalidArgument("not a governance query");
}

}  // namespace licenced::chaincode
