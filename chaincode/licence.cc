// licence chaincode: the licence registry (issue, suspend, restore, revoke,
// cancel, renew) and the helpers the workflow steps use to issue and check licences.
#include <algorithm>

#include "chaincode/exec.h"
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

Result<json> LoadRecord(const StateView& state, const std::string& id) {
  auto v = state.Get(LicenceRecordKey(id));
  if (!v) return Status::NotFound("no licence with identifier " + id);
  json j = json::parse(v->begin(), v->end(), nullptr, false);
  if (j.is_discarded()) return Status::Internal("licence record is not JSON");
  return j;
}

Status WriteStatus(Exec& e, const std::string& id, LicenceStatusValue v) {
  v.updated_height = e.ctx.height;
  v.updated_time_ms = e.ctx.block_time_ms;
  e.state.Put(LicenceStatusKey(id), v.Encode());
  return Status::Ok();
}

// Writes a new licence version; shared by IssueLicence and renew.
Result<json> WriteLicence(Exec& e, const IssueRequest& req, const std::string& serial,
                          uint32_t version, const std::string& replaces, uint64_t valid_from_ms) {
  const GenesisLicenceType* type = e.genesis.FindLicenceType(req.type_code);
  if (type == nullptr)
    return Status::InvalidArgument("type: unknown licence type '" + req.type_code + "'");
  auto org = FindOrg(e.genesis, e.state, req.issuer_org);
  if (!org) return Status::Internal("issuer org missing from genesis and governance");
  if (!MayIssue(e.genesis, e.state, req.type_code, req.issuer_org)) {
    return Status::PermissionDenied("org '" + req.issuer_org + "' may not issue licence type '" +
                                    req.type_code + "' (genesis issuer_orgs, or governance)");
  }
  std::string issuer_code = OrgCreditCode(*org);
  LIC_ASSIGN_OR_RETURN(std::string id,
                       MakeLicenceIdentifier({req.type_code, issuer_code, serial, version}));
  if (e.state.Get(LicenceRecordKey(id))) {
    return Status::AlreadyExists("licence " + id + " already exists");
  }
  uint64_t valid_until_ms = 0;
  if (req.valid_until_ms) {
    valid_until_ms = *req.valid_until_ms;
  } else if (type->validity_days > 0) {
    valid_until_ms = valid_from_ms + uint64_t{type->validity_days} * kDayMs;
  }
  if (valid_until_ms != 0 && valid_until_ms <= e.ctx.block_time_ms) {
    return Status::InvalidArgument("valid_until: the validity would already have ended");
  }
  json rec = {
      {"identifier", id},
      {"type_code", req.type_code},
      {"licence_name", type->name},
      {"number", req.number.empty() ? serial : req.number},
      {"serial", serial},
      {"version", version},
      {"issuer_org", org->id},
      {"issuer_name", org->name},
      {"issuer_code", issuer_code},
      {"holder_key", req.holder_key_hex},
      {"holder_code_type", req.holder_code_type},
      {"holder_code", req.holder_code},
      {"commitments", req.commitments},
      {"public_fields", req.public_fields},
      {"issue_date", FormatDate(LocalDate(e.genesis, e.ctx.block_time_ms))},
      {"valid_from", FormatDate(LocalDate(e.genesis, valid_from_ms))},
      {"valid_from_ms", valid_from_ms},
      {"valid_until",
       valid_until_ms == 0 ? std::string() : FormatDate(LocalDate(e.genesis, valid_until_ms - 1))},
      {"valid_until_ms", valid_until_ms},
      {"jurisdiction", req.jurisdiction},
      {"case_id", req.case_id},
      {"replaces", replaces},
      {"issued_by", e.signer.key_hex},
      {"issuing_tx", e.TxIdHex()},
      {"issued_height", e.ctx.height},
      {"issued_at_ms", e.ctx.block_time_ms}};
  auto canonical = CanonicalJson(rec);
  if (!canonical.ok()) {
    return Status::InvalidArgument("licence record " + id + ": " + canonical.status().message());
  }
  const std::string& bytes = *canonical;
  e.state.Put(LicenceRecordKey(id), ToBytes(bytes));
  LicenceStatusValue status;
  status.status = LicenceStatus::kValid;
  status.valid_from_ms = valid_from_ms;
  status.valid_until_ms = valid_until_ms;
  status.record_hash = crypto::Sha256(AsBytes(bytes));
  LIC_RETURN_IF_ERROR(WriteStatus(e, id, status));
  // Secondary indexes for listing.
  e.state.Put("licence/by-holder/" + req.holder_key_hex + "/" + id, {});
  e.state.Put("licence/by-issuer/" + org->id + "/" + id, {});
  LIC_RETURN_IF_ERROR(e.Audit("licence/" + id, "issue",
                              {{"type", req.type_code},
                               {"version", version},
                               {"replaces", replaces},
                               {"case_id", req.case_id}}));
  LIC_RETURN_IF_ERROR(e.Emit("licence_issued", {org->id},
                             {{"identifier", id},
                              {"type", req.type_code},
                              {"holder_key", req.holder_key_hex},
                              {"case_id", req.case_id},
                              {"replaces", replaces}}));
  return rec;
}

// The licence named by args.identifier, with the signer checked as a
// licensing clerk of the issuing org.
struct Loaded {
  std::string id;
  json record;
  LicenceStatusValue status;
};
Result<Loaded> LoadForChange(const Exec& e) {
  LIC_ASSIGN_OR_RETURN(std::string id, ReqString(e.args, "identifier", 200));
  LIC_RETURN_IF_ERROR(ParseLicenceIdentifier(id).status());
  LIC_ASSIGN_OR_RETURN(json rec, LoadRecord(e.state, id));
  LIC_RETURN_IF_ERROR(e.RequireOrgRole(rec["issuer_org"].get<std::string>(), kRoleLicensing));
  LIC_ASSIGN_OR_RETURN(LicenceStatusValue st, LoadLicenceStatus(e.state, id));
  return Loaded{id, std::move(rec), st};
}

Status ChangeStatus(Exec& e, const std::string& method) {
  LIC_ASSIGN_OR_RETURN(Loaded l, LoadForChange(e));
  std::string reason;
  if (method == "restore") {
    LIC_ASSIGN_OR_RETURN(auto r, OptString(e.args, "reason", 512));
    reason = r.value_or("");
  } else {
    LIC_ASSIGN_OR_RETURN(reason, ReqString(e.args, "reason", 512));
  }
  LicenceStatus now = l.status.EffectiveAt(e.ctx.block_time_ms);
  LicenceStatus to;
  std::string now_name = LicenceStatusName(now);
  if (method == "suspend") {
    if (now != LicenceStatus::kValid) {
      return Status::FailedPrecondition("licence " + l.id + " is " + now_name +
                                        "; only a valid licence can be suspended");
    }
    to = LicenceStatus::kSuspended;
  } else if (method == "restore") {
    if (now != LicenceStatus::kSuspended) {
      return Status::FailedPrecondition("licence " + l.id + " is " + now_name +
                                        "; only a suspended licence can be restored");
    }
    to = LicenceStatus::kValid;
  } else {
    if (now != LicenceStatus::kValid && now != LicenceStatus::kSuspended) {
      return Status::FailedPrecondition("licence " + l.id + " is " + now_name +
                                        "; it can no longer be " +
                                        (method == "revoke" ? "revoked" : "cancelled"));
    }
    to = method == "revoke" ? LicenceStatus::kRevoked : LicenceStatus::kCancelled;
  }
  LicenceStatusValue v = l.status;
  v.status = to;
  v.reason = reason;
  LIC_RETURN_IF_ERROR(WriteStatus(e, l.id, v));
  LIC_RETURN_IF_ERROR(
      e.Audit("licence/" + l.id, method,
              {{"from", now_name}, {"to", LicenceStatusName(to)}, {"reason", reason}}));
  LIC_RETURN_IF_ERROR(
      e.Emit("licence_status_changed", {l.record["issuer_org"].get<std::string>()},
             {{"identifier", l.id}, {"status", LicenceStatusName(to)}, {"reason", reason}}));
  e.result = {{"identifier", l.id},
              {"status", LicenceStatusName(to)},
              {"previous", now_name},
              {"state_key", LicenceStatusKey(l.id)},
              {"reason", reason}};
  return Status::Ok();
}

Status Renew(Exec& e) {
  LIC_ASSIGN_OR_RETURN(Loaded l, LoadForChange(e));
  LicenceStatus now = l.status.EffectiveAt(e.ctx.block_time_ms);
  if (now == LicenceStatus::kRevoked || now == LicenceStatus::kCancelled) {
    return Status::FailedPrecondition(
        "licence " + l.id + " is " + LicenceStatusName(now) +
        "; only a valid, suspended or expired licence can be renewed");
  }
  IssueRequest req;
  req.type_code = l.record["type_code"];
  req.issuer_org = l.record["issuer_org"];
  req.holder_key_hex = l.record["holder_key"];
  req.holder_code_type = l.record["holder_code_type"];
  req.holder_code = l.record["holder_code"];
  req.number = l.record["number"];
  req.commitments = l.record["commitments"];
  req.public_fields = l.record["public_fields"];
  req.jurisdiction = l.record["jurisdiction"];
  req.case_id = l.record["case_id"];
  LIC_ASSIGN_OR_RETURN(auto holder, OptString(e.args, "holder_key", 64));
  if (holder) {
    LIC_ASSIGN_OR_RETURN(auto key, ParsePublicKeyHex(*holder, "holder_key"));
    req.holder_key_hex = ToHex(key);
  }
  LIC_ASSIGN_OR_RETURN(auto until, OptString(e.args, "valid_until", 10));
  if (until) {
    LIC_ASSIGN_OR_RETURN(Date d, ParseDate(*until, "valid_until"));
    req.valid_until_ms = LocalMidnightMs(e.genesis, d) + kDayMs;
  }
  uint32_t version = l.record["version"].get<uint32_t>() + 1;
  if (version > 999) return Status::FailedPrecondition("licence has reached version 999");
  uint64_t from = LocalMidnightMs(e.genesis, LocalDate(e.genesis, e.ctx.block_time_ms));
  LIC_ASSIGN_OR_RETURN(json rec, WriteLicence(e, req, l.record["serial"], version, l.id, from));
  std::string new_id = rec["identifier"];
  LicenceStatusValue old = l.status;
  old.status = LicenceStatus::kCancelled;
  old.replaced_by = new_id;
  old.reason = "renewed as version " + std::to_string(version);
  LIC_RETURN_IF_ERROR(WriteStatus(e, l.id, old));
  LIC_RETURN_IF_ERROR(e.Audit("licence/" + l.id, "renew", {{"replaced_by", new_id}}));
  e.result = {{"identifier", new_id}, {"replaces", l.id}, {"record", rec}};
  return Status::Ok();
}

Status Issue(Exec& e) {
  LIC_ASSIGN_OR_RETURN(std::string type_code, ReqString(e.args, "type", 21));
  const GenesisLicenceType* type = e.genesis.FindLicenceType(type_code);
  if (type == nullptr)
    return Status::InvalidArgument("type: unknown licence type '" + type_code + "'");
  if (!MayIssue(e.genesis, e.state, type_code, e.signer.org)) {
    return Status::PermissionDenied("org '" + e.signer.org + "' may not issue licence type '" +
                                    type_code + "' (genesis issuer_orgs, or governance)");
  }
  LIC_RETURN_IF_ERROR(e.RequireRole(kRoleLicensing));
  IssueRequest req;
  req.type_code = type_code;
  req.issuer_org = e.signer.org;
  LIC_ASSIGN_OR_RETURN(std::string holder, ReqString(e.args, "holder_key", 64));
  LIC_ASSIGN_OR_RETURN(auto holder_key, ParsePublicKeyHex(holder, "holder_key"));
  req.holder_key_hex = ToHex(holder_key);
  LIC_ASSIGN_OR_RETURN(req.holder_code_type, ReqString(e.args, "holder_code_type", 32));
  Date today = LocalDate(e.genesis, e.ctx.block_time_ms);
  if (req.holder_code_type == "credit_code") {
    LIC_ASSIGN_OR_RETURN(req.holder_code, ReqString(e.args, "holder_code", 18));
    LIC_RETURN_IF_ERROR(ValidateCreditCode(req.holder_code));
  } else if (req.holder_code_type == "resident_id") {
    // The ID number itself stays off the ledger: the client validated it and
    // sends its commitment (client/prepare.h PrepareIssueLicence).
    if (e.args.contains("holder_code")) {
      return Status::InvalidArgument(
          "holder_code: a resident ID number must not go on the ledger in clear; send "
          "holder_code_commitment");
    }
    LIC_ASSIGN_OR_RETURN(std::string c, ReqCommitment(e.args, "holder_code_commitment"));
    req.commitments["holder_code"] = c;
  } else if (req.holder_code_type != "none") {
    return Status::InvalidArgument("holder_code_type: expected credit_code, resident_id or none");
  }
  if (e.args.contains("fields")) {
    return Status::InvalidArgument(
        "fields: personal values must not go on the ledger; send \"commitments\": {field: hex "
        "commitment} (client/prepare.h PrepareIssueLicence)");
  }
  auto commitments = e.args.find("commitments");
  if (commitments == e.args.end() || !commitments->is_object() || commitments->empty()) {
    return Status::InvalidArgument(
        "commitments: missing (an object of field -> hex commitment, at least one)");
  }
  for (auto it = commitments->begin(); it != commitments->end(); ++it) {
    if (it.key().empty() || it.key().size() > 64) {
      return Status::InvalidArgument("commitments: field names must be 1..64 characters");
    }
    if (it.key() == "holder_code") {
      return Status::InvalidArgument(
          "commitments.holder_code: reserved for holder_code_commitment");
    }
    auto c = ReqCommitment(*commitments, it.key());
    if (!c.ok()) {
      return Status::InvalidArgument("commitments." + std::string(c.status().message()));
    }
    req.commitments[it.key()] = *c;
  }
  LIC_ASSIGN_OR_RETURN(req.jurisdiction, ReqString(e.args, "jurisdiction", 6));
  LIC_RETURN_IF_ERROR(ValidateRegionCode(req.jurisdiction, "jurisdiction"));
  LIC_ASSIGN_OR_RETURN(auto number, OptString(e.args, "number", 64));
  req.number = number.value_or("");
  uint64_t from = LocalMidnightMs(e.genesis, today);
  LIC_ASSIGN_OR_RETURN(auto vf, OptString(e.args, "valid_from", 10));
  if (vf) {
    LIC_ASSIGN_OR_RETURN(Date d, ParseDate(*vf, "valid_from"));
    from = LocalMidnightMs(e.genesis, d);
    req.valid_from_ms = from;
  }
  LIC_ASSIGN_OR_RETURN(auto vu, OptString(e.args, "valid_until", 10));
  if (vu) {
    LIC_ASSIGN_OR_RETURN(Date d, ParseDate(*vu, "valid_until"));
    req.valid_until_ms = LocalMidnightMs(e.genesis, d) + kDayMs;
    if (*req.valid_until_ms <= from) {
      return Status::InvalidArgument("valid_until: must not be before valid_from");
    }
  }
  LIC_ASSIGN_OR_RETURN(json rec, IssueLicence(e, req));
  e.result = {{"identifier", rec["identifier"]}, {"record", rec}};
  return Status::Ok();
}

}  // namespace

Result<LicenceStatusValue> LoadLicenceStatus(const StateView& state, const std::string& id) {
  auto v = state.Get(LicenceStatusKey(id));
  if (!v) return Status::NotFound("no licence with identifier " + id);
  return LicenceStatusValue::Decode(*v);
}

Result<json> IssueLicence(Exec& e, const IssueRequest& req) {
  const GenesisLicenceType* type = e.genesis.FindLicenceType(req.type_code);
  if (type == nullptr)
    return Status::InvalidArgument("type: unknown licence type '" + req.type_code + "'");
  Date today = LocalDate(e.genesis, e.ctx.block_time_ms);
  uint64_t n = e.NextCounter("licence-serial/" + req.type_code + "/" + req.issuer_org + "/" +
                             std::to_string(today.year));
  if (n > 9'999'999)
    return Status::FailedPrecondition("licence serial numbers exhausted for this year");
  std::string serial = Pad(today.year, 4) + Pad(n, 7);
  uint64_t from = req.valid_from_ms.value_or(LocalMidnightMs(e.genesis, today));
  return WriteLicence(e, req, serial, 1, "", from);
}

Result<std::string> RequireUsableLicence(const Exec& e, const std::string& identifier) {
  std::string id = identifier;
  for (int hops = 0; hops < 1000; ++hops) {
    LIC_ASSIGN_OR_RETURN(LicenceStatusValue v, LoadLicenceStatus(e.state, id));
    if (v.status == LicenceStatus::kCancelled && !v.replaced_by.empty()) {
      id = v.replaced_by;
      continue;
    }
    LicenceStatus s = v.EffectiveAt(e.ctx.block_time_ms);
    if (s != LicenceStatus::kValid) {
      return Status::FailedPrecondition("licence " + id + " is " + LicenceStatusName(s) +
                                        (v.reason.empty() ? "" : " (" + v.reason + ")") +
                                        "; this step needs a valid licence");
    }
    return id;
  }
  return Status::Internal("licence version chain too long");
}

Status ExecLicence(Exec& e) {
  const std::string& m = e.tx.method;
  if (m == "issue") return Issue(e);
  if (m == "suspend" || m == "restore" || m == "revoke" || m == "cancel") return ChangeStatus(e, m);
  if (m == "renew") return Renew(e);
  if (m == "publish_status_list") return PublishStatusList(e);
  return Status::InvalidArgument(
      "licence: unknown method '" + m +
      "' (issue, suspend, restore, revoke, cancel, renew, publish_status_list)");
}

}  // namespace licenced::chaincode
