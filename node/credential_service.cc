#include "node/credential_service.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "proof/credential.h"

namespace licenced::node {

namespace {

constexpr std::string_view kContextPath = "/credentials/contexts/licence/v1";
constexpr std::string_view kStatusPrefix = "/credentials/status/";

HttpReply Text(int status, std::string body) {
  return {status, "text/plain; charset=utf-8", std::move(body) + "\n"};
}

}  // namespace

CredentialService::CredentialService(const Genesis* genesis, std::string org,
                                     std::optional<crypto::KeyPair> issuer_key,
                                     std::string public_url, Sources sources)
    : genesis_(genesis),
      org_(std::move(org)),
      issuer_key_(std::move(issuer_key)),
      public_url_(std::move(public_url)),
      sources_(std::move(sources)) {}

std::optional<HttpReply> CredentialService::Get(std::string_view path) const {
  if (path == kContextPath) {
    return HttpReply{200, "application/ld+json", std::string(proof::vc::LicenceContext())};
  }
  if (path.substr(0, kStatusPrefix.size()) != kStatusPrefix) return std::nullopt;
  std::string_view rest = path.substr(kStatusPrefix.size());
  std::vector<std::string> parts;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    parts.emplace_back(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  if (parts.size() != 3) {
    return Text(404, "not found: status lists are at /credentials/status/<org>/<purpose>/<list>");
  }
  return StatusList(parts[0], parts[1], parts[2]);
}

HttpReply CredentialService::StatusList(const std::string& org, const std::string& purpose_name,
                                        const std::string& list_text) const {
  const auto purpose = proof::vc::StatusPurposeFromName(purpose_name);
  if (!purpose) return Text(404, "not found: the purpose is revocation or suspension");
  if (list_text.empty() || list_text.size() > 9 ||
      list_text.find_first_not_of("0123456789") != std::string::npos ||
      (list_text.size() > 1 && list_text[0] == '0')) {
    return Text(404, "not found: the list number is a decimal integer");
  }
  if (genesis_->FindOrg(org) == nullptr) {
    return Text(404, "not found: no organisation '" + org + "' in the genesis");
  }
  if (org != org_ || !issuer_key_) {
    return Text(
        404, fmt::format("not found: this node ({}) holds no issuing key of org '{}', so it cannot "
                         "sign that org's status lists; ask a node of '{}'",
                         org_, org, org));
  }
  auto head = sources_.state_proof(chaincode::LicenceStatusKey(""), 0);
  if (!head.ok()) return Text(503, "no certified block yet: " + head.status().message());
  proof::vc::StatusListInput in;
  in.org = org;
  in.purpose = *purpose;
  in.list = std::stoull(list_text);
  in.header = head->header;
  in.base_url = public_url_;
  auto members = sources_.members(org);
  if (!members.ok()) return Text(500, "cannot list the licences: " + members.status().message());
  const uint64_t first = in.list * chaincode::kStatusListLength;
  for (const auto& m : *members) {
    if (m.position < first || m.position - first >= chaincode::kStatusListLength) continue;
    if (m.issued_height >= in.header.height) continue;  // not under the head's state yet
    auto sp = sources_.state_proof(chaincode::LicenceStatusKey(m.identifier), in.header.height);
    if (!sp.ok()) return Text(503, "cannot prove a status: " + sp.status().message());
    if (!sp->value) return Text(500, "licence " + m.identifier + " has no status at the head");
    auto v = chaincode::LicenceStatusValue::Decode(*sp->value);
    if (!v.ok()) return Text(500, "licence " + m.identifier + ": " + v.status().message());
    in.entries.push_back({m.position, v->status});
  }
  auto cred = proof::vc::StatusListCredential(*genesis_, in, *issuer_key_, sources_.now_ms());
  if (!cred.ok()) return Text(500, "cannot build the status list: " + cred.status().message());
  return HttpReply{200, "application/vc+ld+json", cred->dump(2) + "\n"};
}

}  // namespace licenced::node
