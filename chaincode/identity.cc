// identity chaincode: org admins enrol, suspend, restore and remove clerks.
#include <algorithm>

#include "chaincode/exec.h"

namespace licenced::chaincode {
namespace {

Status RequireAdmin(const Exec& e) {
  if (!e.signer.is_admin) {
    return Status::PermissionDenied(
        "only an org admin (genesis admin_keys) may manage clerks; signer " +
        e.signer.key_hex.substr(0, 16) + " is a clerk of '" + e.signer.org + "'");
  }
  return Status::Ok();
}

// Loads the clerk named by args.public_key and checks it belongs to the admin's org.
Result<json> LoadOwnClerk(const Exec& e, std::string* key_hex) {
  LIC_ASSIGN_OR_RETURN(std::string hex, ReqString(e.args, "public_key", 64));
  LIC_ASSIGN_OR_RETURN(crypto::PublicKey key, ParsePublicKeyHex(hex, "public_key"));
  *key_hex = ToHex(key);
  auto c = e.GetJson("clerk/" + *key_hex);
  if (!c) return Status::NotFound("no clerk with public key " + *key_hex);
  if ((*c)["org"] != e.signer.org) {
    return Status::PermissionDenied("clerk " + key_hex->substr(0, 16) + " belongs to org '" +
                                    (*c)["org"].get<std::string>() + "', not '" + e.signer.org +
                                    "'");
  }
  return *c;
}

Status Enrol(Exec& e) {
  LIC_RETURN_IF_ERROR(RequireAdmin(e));
  LIC_ASSIGN_OR_RETURN(std::string name, ReqString(e.args, "name", 128));
  LIC_ASSIGN_OR_RETURN(std::string hex, ReqString(e.args, "public_key", 64));
  LIC_ASSIGN_OR_RETURN(crypto::PublicKey key, ParsePublicKeyHex(hex, "public_key"));
  LIC_ASSIGN_OR_RETURN(std::vector<std::string> roles, ReqStringList(e.args, "roles"));
  std::sort(roles.begin(), roles.end());
  if (std::adjacent_find(roles.begin(), roles.end()) != roles.end()) {
    return Status::InvalidArgument("roles: duplicate role");
  }
  for (const auto& r : roles) {
    if (!IsKnownRole(r)) {
      return Status::InvalidArgument("roles: unknown role '" + r +
                                     "' (known: window, clerk, licensing, engraver)");
    }
    if (!RoleAllowedInOrg(r, e.signer.org)) {
      return Status::PermissionDenied("role '" + r + "' can only be granted by police (org '" +
                                      e.signer.org + "' may not enrol engravers)");
    }
  }
  if (e.genesis.OrgOfAdmin(key) != nullptr) {
    return Status::AlreadyExists("public_key is an org admin key in genesis");
  }
  std::string key_hex = ToHex(key);
  if (auto existing = e.GetJson("clerk/" + key_hex)) {
    return Status::AlreadyExists("public key " + key_hex.substr(0, 16) +
                                 " is already enrolled as clerk '" +
                                 (*existing)["name"].get<std::string>() + "' of org '" +
                                 (*existing)["org"].get<std::string>() + "' (" +
                                 (*existing)["status"].get<std::string>() + ")");
  }
  json clerk = {{"public_key", key_hex},
                {"key_id", crypto::KeyId(key)},
                {"org", e.signer.org},
                {"name", name},
                {"roles", roles},
                {"status", "active"},
                {"enrolled_by", e.signer.key_hex},
                {"enrolled_at_ms", e.ctx.block_time_ms},
                {"enrolled_height", e.ctx.height},
                {"updated_at_ms", e.ctx.block_time_ms},
                {"reason", ""}};
  LIC_RETURN_IF_ERROR(e.PutJson("clerk/" + key_hex, clerk));
  LIC_RETURN_IF_ERROR(
      e.Audit("clerk/" + key_hex, "enrol_clerk", {{"name", name}, {"roles", roles}}));
  LIC_RETURN_IF_ERROR(e.Emit("clerk_enrolled", {e.signer.org},
                             {{"clerk", key_hex}, {"org", e.signer.org}, {"name", name}}));
  e.result = clerk;
  return Status::Ok();
}

Status ChangeStatus(Exec& e, const std::string& method) {
  LIC_RETURN_IF_ERROR(RequireAdmin(e));
  std::string key_hex;
  LIC_ASSIGN_OR_RETURN(json clerk, LoadOwnClerk(e, &key_hex));
  std::string reason;
  if (method != "restore_clerk") {
    LIC_ASSIGN_OR_RETURN(reason, ReqString(e.args, "reason", 512));
  } else {
    LIC_ASSIGN_OR_RETURN(auto r, OptString(e.args, "reason", 512));
    reason = r.value_or("");
  }
  std::string from = clerk["status"];
  std::string to;
  if (method == "suspend_clerk") {
    if (from != "active") return Status::FailedPrecondition("clerk is " + from + ", not active");
    to = "suspended";
  } else if (method == "restore_clerk") {
    if (from != "suspended")
      return Status::FailedPrecondition("clerk is " + from + ", not suspended");
    to = "active";
  } else {
    if (from == "removed") return Status::FailedPrecondition("clerk is already removed");
    to = "removed";
  }
  clerk["status"] = to;
  clerk["reason"] = reason;
  clerk["updated_at_ms"] = e.ctx.block_time_ms;
  LIC_RETURN_IF_ERROR(e.PutJson("clerk/" + key_hex, clerk));
  LIC_RETURN_IF_ERROR(
      e.Audit("clerk/" + key_hex, method, {{"from", from}, {"to", to}, {"reason", reason}}));
  LIC_RETURN_IF_ERROR(e.Emit("clerk_" + to, {e.signer.org},
                             {{"clerk", key_hex}, {"org", e.signer.org}, {"status", to}}));
  e.result = clerk;
  return Status::Ok();
}

}  // namespace

Status ExecIdentity(Exec& e) {
  const std::string& m = e.tx.method;
  if (m == "enrol_clerk") return Enrol(e);
  if (m == "suspend_clerk" || m == "restore_clerk" || m == "remove_clerk")
    return ChangeStatus(e, m);
  return Status::InvalidArgument("identity: unknown method '" + m +
                                 "' (enrol_clerk, suspend_clerk, restore_clerk, remove_clerk)");
}

}  // namespace licenced::chaincode

namespace licenced::chaincode {

Status ExecSystem(Exec& e) {
  if (e.tx.method != "ping") {
    return Status::InvalidArgument("system: unknown method '" + e.tx.method + "' (ping)");
  }
  // ResolveSigner already required an org admin or an active clerk. No writes,
  // no events, no audit entry: the tx only proves that the network commits.
  e.result = {{"ok", true},
              {"signer_org", e.signer.org},
              {"signer_name", e.signer.name},
              {"height", e.ctx.height}};
  return Status::Ok();
}

}  // namespace licenced::chaincode
