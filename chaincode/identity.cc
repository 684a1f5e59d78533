// identity chaincode: org admins enrol, suspend, restore and remove clerks.
#include <algorithm>

#include "chaincode/exec.h"
#include "chaincode/registry.h"

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
  if (auto admin = FindAdminKey(e.genesis, e.state, key)) {
    return Status::AlreadyExists("public_key is an org admin key of '" + admin->org +
                                 "' (governance)");
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
    if (clerk.value("replaced_by", "") != "") {
      return Status::FailedPrecondition(
          "clerk key was rotated to " + clerk["replaced_by"].get<std::string>().substr(0, 16) +
          " at block " + std::to_string(clerk.value("rotated_height", uint64_t{0})) +
          "; the new key is the clerk's");
    }
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

// A clerk replaces its own key: the new key gets the clerk's record (name,
// org, roles) and the old one is suspended from this block on, pointing to
// the new one. Org admins replace theirs through governance instead.
Status RotateKey(Exec& e) {
  if (e.signer.is_admin) {
    return Status::PermissionDenied(
        "an org admin key is replaced through governance (kind replace_admin_key), not "
        "identity.rotate_key");
  }
  LIC_ASSIGN_OR_RETURN(std::string hex, ReqString(e.args, "new_public_key", 64));
  LIC_ASSIGN_OR_RETURN(crypto::PublicKey key, ParsePublicKeyHex(hex, "new_public_key"));
  std::string use = KeyInUse(e.genesis, e.state, key);
  if (!use.empty()) {
    return Status::AlreadyExists("new_public_key is already " + use);
  }
  auto old = e.GetJson("clerk/" + e.signer.key_hex);
  if (!old) return Status::Internal("signer's clerk record is missing");
  const std::string new_hex = ToHex(key);
  json fresh = *old;
  fresh["public_key"] = new_hex;
  fresh["key_id"] = crypto::KeyId(key);
  fresh["status"] = "active";
  fresh["reason"] = "";
  fresh["rotated_from"] = e.signer.key_hex;
  fresh["rotated_height"] = e.ctx.height;
  fresh["updated_at_ms"] = e.ctx.block_time_ms;
  json& gone = *old;
  gone["status"] = "suspended";
  gone["reason"] = "key rotated to " + new_hex.substr(0, 16);
  gone["replaced_by"] = new_hex;
  gone["rotated_height"] = e.ctx.height;
  gone["updated_at_ms"] = e.ctx.block_time_ms;
  LIC_RETURN_IF_ERROR(e.PutJson("clerk/" + e.signer.key_hex, gone));
  LIC_RETURN_IF_ERROR(e.PutJson("clerk/" + new_hex, fresh));
  LIC_RETURN_IF_ERROR(
      e.Audit("clerk/" + e.signer.key_hex, "rotate_key", {{"replaced_by", new_hex}}));
  LIC_RETURN_IF_ERROR(
      e.Audit("clerk/" + new_hex, "rotate_key", {{"rotated_from", e.signer.key_hex}}));
  LIC_RETURN_IF_ERROR(
      e.Emit("clerk_key_rotated", {e.signer.org},
             {{"clerk", new_hex}, {"rotated_from", e.signer.key_hex}, {"org", e.signer.org}}));
  e.result = fresh;
  return Status::Ok();
}

}  // namespace

bool IsSameClerk(const StateView& state, const std::string& claimed_by, const std::string& signer) {
  std::string key = claimed_by;
  for (int hop = 0; hop <= 32; ++hop) {
    if (key == signer) return true;
    auto v = state.Get("clerk/" + key);
    if (!v) return false;
    json c = json::parse(v->begin(), v->end(), nullptr, false);
    if (c.is_discarded()) return false;
    key = c.value("replaced_by", "");
    if (key.empty()) return false;
  }
  return false;
}

Status ExecIdentity(Exec& e) {
  const std::string& m = e.tx.method;
  if (m == "enrol_clerk") return Enrol(e);
  if (m == "suspend_clerk" || m == "restore_clerk" || m == "remove_clerk")
    return ChangeStatus(e, m);
  if (m == "rotate_key") return RotateKey(e);
  return Status::InvalidArgument(
      "identity: unknown method '" + m +
      "' (enrol_clerk, suspend_clerk, restore_clerk, remove_clerk, rotate_key)");
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
