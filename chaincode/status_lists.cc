// licence.publish_status_list: an issuing org puts its signed Bitstring Status
// List credential on the ledger, so that every node serves it (also the
// lists of an org that runs no node) and any node can tell when the newest
// one no longer matches the ledger (node/credential_service.h).
//
// The chaincode checks what it can check deterministically: the list's
// shape and name, that its Data Integrity proof verifies by an admin key of
// the org, that it is still valid at the block's time, and that it is not
// older than the list it replaces. Its bits against the ledger are checked
// by the node that serves it, at its head.
#include "chaincode/status_lists.h"

#include <algorithm>

#include "chaincode/exec.h"
#include "core/canonical_json.h"
#include "core/data_integrity.h"

namespace licenced::chaincode {
namespace {

// A published list credential is at most this big as canonical JSON: a
// 16 KiB bitstring gzips to at most ~16.1 KiB, ~21.5 KiB in base64url.
constexpr size_t kMaxPublishedListBytes = 64 * 1024;

Result<std::string> StringAt(const json& obj, const char* field) {
  if (!obj.is_object() || !obj.contains(field) || !obj[field].is_string()) {
    return Status::InvalidArgument(std::string("credential: '") + field + "' must be a string");
  }
  return obj[field].get<std::string>();
}

bool HasType(const json& c, std::string_view type) {
  if (!c.contains("type") || !c["type"].is_array()) return false;
  return std::any_of(c["type"].begin(), c["type"].end(),
                     [&](const json& t) { return t.is_string() && t.get<std::string>() == type; });
}

bool IsListNumber(std::string_view s) {
  return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos &&
         (s.size() == 1 || s[0] != '0');
}

}  // namespace

std::string PublishedStatusListKey(std::string_view org, std::string_view purpose, uint64_t list) {
  return "licence/status-list/" + std::string(org) + "/" + std::string(purpose) + "/" +
         std::to_string(list);
}

Result<PublishedListName> ParsePublishedListName(const Genesis& genesis, const json& credential) {
  if (!credential.is_object()) return Status::InvalidArgument("credential: must be an object");
  if (!HasType(credential, "VerifiableCredential") ||
      !HasType(credential, "BitstringStatusListCredential")) {
    return Status::InvalidArgument(
        "credential: type must include VerifiableCredential and BitstringStatusListCredential");
  }
  if (!credential.contains("issuer") || !credential["issuer"].is_object()) {
    return Status::InvalidArgument("credential: 'issuer' must be an object");
  }
  PublishedListName n;
  LIC_ASSIGN_OR_RETURN(n.org, StringAt(credential["issuer"], "issuerOrg"));
  const GenesisOrg* org = genesis.FindOrg(n.org);
  if (org == nullptr) {
    return Status::InvalidArgument("credential: no organisation '" + n.org + "' in the genesis");
  }
  LIC_ASSIGN_OR_RETURN(const std::string did, StringAt(credential["issuer"], "id"));
  auto key = data_integrity::PublicKeyFromDidKey(did);
  if (!key.ok()) return Status::InvalidArgument("credential: issuer.id: " + key.status().message());
  if (std::find(org->admin_keys.begin(), org->admin_keys.end(), *key) == org->admin_keys.end()) {
    return Status::PermissionDenied("credential: the issuer " + did +
                                    " is not an admin key of org '" + n.org + "' in the genesis");
  }
  n.issuer_key = *key;
  if (!credential.contains("credentialSubject") || !credential["credentialSubject"].is_object()) {
    return Status::InvalidArgument("credential: 'credentialSubject' must be an object");
  }
  const json& subject = credential["credentialSubject"];
  LIC_ASSIGN_OR_RETURN(const std::string subject_type, StringAt(subject, "type"));
  LIC_ASSIGN_OR_RETURN(n.purpose, StringAt(subject, "statusPurpose"));
  LIC_RETURN_IF_ERROR(StringAt(subject, "encodedList").status());
  if (subject_type != "BitstringStatusList") {
    return Status::InvalidArgument(
        "credential: credentialSubject.type must be BitstringStatusList");
  }
  if (n.purpose != "revocation" && n.purpose != "suspension") {
    return Status::InvalidArgument(
        "credential: credentialSubject.statusPurpose must be revocation or suspension");
  }
  // The id names where the list is served: <base>/credentials/status/<org>/<purpose>/<list>.
  LIC_ASSIGN_OR_RETURN(const std::string id, StringAt(credential, "id"));
  const std::string path = "/credentials/status/" + n.org + "/" + n.purpose + "/";
  const size_t at = id.rfind(path);
  const std::string list_text = at == std::string::npos ? "" : id.substr(at + path.size());
  if (at == std::string::npos || !IsListNumber(list_text)) {
    return Status::InvalidArgument("credential: id must end in " + path + "<list number>");
  }
  n.list = std::stoull(list_text);
  if (!credential.contains("evidence") || !credential["evidence"].is_array() ||
      credential["evidence"].empty() || !credential["evidence"][0].is_object()) {
    return Status::InvalidArgument("credential: 'evidence' must hold the ledger evidence");
  }
  const json& ev = credential["evidence"][0];
  LIC_ASSIGN_OR_RETURN(const std::string network, StringAt(ev, "network"));
  if (network != genesis.network_id) {
    return Status::InvalidArgument("credential: the evidence is of network '" + network +
                                   "', this is '" + genesis.network_id + "'");
  }
  if (!ev.contains("statusHeight") || !ev["statusHeight"].is_number_unsigned() ||
      ev["statusHeight"].get<uint64_t>() == 0) {
    return Status::InvalidArgument("credential: evidence.statusHeight must be a block height");
  }
  n.status_height = ev["statusHeight"].get<uint64_t>();
  LIC_ASSIGN_OR_RETURN(n.block_hash_hex, StringAt(ev, "blockHash"));
  LIC_ASSIGN_OR_RETURN(const std::string valid_until, StringAt(credential, "validUntil"));
  auto until = data_integrity::ParseIsoTime(valid_until);
  if (!until.ok())
    return Status::InvalidArgument("credential: validUntil: " + until.status().message());
  n.valid_until_ms = *until;
  return n;
}

Status PublishStatusList(Exec& e) {
  if (!e.args.contains("credential")) {
    return Status::InvalidArgument("credential: the signed status list credential is required");
  }
  const json& credential = e.args["credential"];
  LIC_ASSIGN_OR_RETURN(const PublishedListName n, ParsePublishedListName(e.genesis, credential));
  if (e.signer.org != n.org ||
      !(e.signer.is_admin || e.signer.roles.count(std::string(kRoleLicensing)))) {
    return Status::PermissionDenied("signer " + e.signer.key_hex.substr(0, 16) + " of org '" +
                                    e.signer.org + "' may not publish the status lists of org '" +
                                    n.org + "' (an admin or licensing clerk of that org may)");
  }
  if (n.status_height >= e.ctx.height) {
    return Status::InvalidArgument(
        "credential: evidence.statusHeight " + std::to_string(n.status_height) +
        " is not a block before this one (" + std::to_string(e.ctx.height) + ")");
  }
  if (n.valid_until_ms <= e.ctx.block_time_ms) {
    return Status::FailedPrecondition("credential: the status list expired at " +
                                      data_integrity::IsoTime(n.valid_until_ms) +
                                      "; build a fresh one");
  }
  Status proof = data_integrity::VerifyProof(credential, n.issuer_key);
  if (!proof.ok()) return Status::InvalidArgument("credential: proof: " + proof.message());
  auto bytes = CanonicalJson(credential);
  if (!bytes.ok()) return Status::InvalidArgument("credential: " + bytes.status().message());
  if (bytes->size() > kMaxPublishedListBytes) {
    return Status::InvalidArgument("credential: larger than " +
                                   std::to_string(kMaxPublishedListBytes) + " bytes");
  }
  const std::string key = PublishedStatusListKey(n.org, n.purpose, n.list);
  if (auto prev = e.GetJson(key)) {
    auto prev_name = ParsePublishedListName(e.genesis, *prev);
    if (prev_name.ok() && prev_name->status_height > n.status_height) {
      return Status::FailedPrecondition("credential: older (block " +
                                        std::to_string(n.status_height) +
                                        ") than the list already published (block " +
                                        std::to_string(prev_name->status_height) + ")");
    }
  }
  e.state.Put(key, ToBytes(*bytes));
  e.result = {{"issuer_org", n.org},
              {"purpose", n.purpose},
              {"list", n.list},
              {"status_height", n.status_height},
              {"state_key", key}};
  return Status::Ok();
}

}  // namespace licenced::chaincode
