#include "node/credential_service.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "chaincode/status_lists.h"
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
  const uint64_t list = std::stoull(list_text);
  if (org != org_ || !issuer_key_) return ServePublished(org, *purpose, list);
  auto cred = BuildOwnList(*purpose, list);
  if (!cred.ok()) {
    const bool unavailable = cred.status().code() == StatusCode::kUnavailable;
    return Text(unavailable ? 503 : 500, cred.status().message());
  }
  return HttpReply{200, "application/vc+ld+json", cred->dump(2) + "\n"};
}

Result<std::vector<std::pair<uint64_t, chaincode::LicenceStatus>>> CredentialService::HeadEntries(
    const std::string& org, uint64_t list, const consensus::BlockHeader& head) const {
  auto members = sources_.members(org);
  if (!members.ok()) {
    return Status::Internal("cannot list the licences: " + members.status().message());
  }
  std::vector<std::pair<uint64_t, chaincode::LicenceStatus>> entries;
  const uint64_t first = list * chaincode::kStatusListLength;
  for (const auto& m : *members) {
    if (m.position < first || m.position - first >= chaincode::kStatusListLength) continue;
    if (m.issued_height > head.height) continue;  // not in the certified state yet
    auto sp =
        sources_.certified_state_proof(chaincode::LicenceStatusKey(m.identifier), head.height);
    if (!sp.ok()) return Status::Unavailable("cannot prove a status: " + sp.status().message());
    if (!sp->value)
      return Status::Internal("licence " + m.identifier + " has no status at the head");
    auto v = chaincode::LicenceStatusValue::Decode(*sp->value);
    if (!v.ok()) return Status::Internal("licence " + m.identifier + ": " + v.status().message());
    entries.emplace_back(m.position, v->status);
  }
  return entries;
}

Result<nlohmann::json> CredentialService::BuildOwnList(proof::vc::StatusPurpose purpose,
                                                       uint64_t list) const {
  if (!issuer_key_) {
    return Status::FailedPrecondition("this node holds no issuing key of org '" + org_ + "'");
  }
  // The newest certified state: a change shows as soon as a quorum executed
  // its block, whatever the order-ahead window.
  auto head = sources_.certified_state_proof(chaincode::LicenceStatusKey(""), 0);
  if (!head.ok()) return Status::Unavailable("no certified state yet: " + head.status().message());
  proof::vc::StatusListInput in;
  in.org = org_;
  in.purpose = purpose;
  in.list = list;
  in.header = head->header;
  in.base_url = public_url_;
  LIC_ASSIGN_OR_RETURN(in.entries, HeadEntries(org_, list, in.header));
  auto cred = proof::vc::StatusListCredential(*genesis_, in, *issuer_key_, sources_.now_ms());
  if (!cred.ok())
    return Status::Internal("cannot build the status list: " + cred.status().message());
  return cred;
}

Result<uint64_t> CredentialService::OwnListCount() const {
  auto members = sources_.members(org_);
  if (!members.ok()) return members.status();
  if (members->empty()) return uint64_t{1};
  return members->back().position / chaincode::kStatusListLength + 1;
}

Result<std::optional<nlohmann::json>> CredentialService::Published(const std::string& org,
                                                                   proof::vc::StatusPurpose purpose,
                                                                   uint64_t list) const {
  const std::string key =
      chaincode::PublishedStatusListKey(org, proof::vc::StatusPurposeName(purpose), list);
  LIC_ASSIGN_OR_RETURN(const std::optional<Bytes> value, sources_.latest(key));
  if (!value) return std::optional<nlohmann::json>();
  auto j = nlohmann::json::parse(value->begin(), value->end(), nullptr, false);
  if (j.is_discarded()) return Status::Corruption("the published list at " + key + " is not JSON");
  return std::optional<nlohmann::json>(std::move(j));
}

Result<Bytes> CredentialService::LedgerBits(const std::string& org,
                                            proof::vc::StatusPurpose purpose, uint64_t list) const {
  auto members = sources_.members(org);
  if (!members.ok()) {
    return Status::Internal("cannot list the licences: " + members.status().message());
  }
  Bytes bits(chaincode::kStatusListLength / 8, 0);
  const uint64_t first = list * chaincode::kStatusListLength;
  for (const auto& m : *members) {
    if (m.position < first || m.position - first >= chaincode::kStatusListLength) continue;
    LIC_ASSIGN_OR_RETURN(const std::optional<Bytes> raw,
                         sources_.latest(chaincode::LicenceStatusKey(m.identifier)));
    if (!raw) return Status::Internal("licence " + m.identifier + " has no status");
    auto v = chaincode::LicenceStatusValue::Decode(*raw);
    if (!v.ok()) return Status::Internal("licence " + m.identifier + ": " + v.status().message());
    if (!proof::vc::StatusBit(v->status, purpose)) continue;
    const uint64_t i = m.position - first;
    bits[i / 8] |= static_cast<uint8_t>(0x80u >> (i % 8));
  }
  return bits;
}

HttpReply CredentialService::ServePublished(const std::string& org,
                                            proof::vc::StatusPurpose purpose, uint64_t list) const {
  const char* purpose_name = proof::vc::StatusPurposeName(purpose);
  auto published = Published(org, purpose, list);
  if (!published.ok()) {
    return Text(published.status().code() == StatusCode::kUnavailable ? 503 : 500,
                published.status().message());
  }
  if (!*published) {
    return Text(404, fmt::format("not found: org '{}' has published no {} list {} on the ledger "
                                 "(its admin publishes it with `licencectl proof status-list {} "
                                 "--purpose {} --publish`)",
                                 org, purpose_name, list, org, purpose_name));
  }
  const nlohmann::json& cred = **published;
  auto name = chaincode::ParsePublishedListName(*genesis_, cred);
  if (!name.ok()) return Text(500, "the published list is malformed: " + name.status().message());
  if (Status st = proof::vc::VerifyProof(cred, name->issuer_key); !st.ok()) {
    return Text(500, "the published list's proof does not verify: " + st.message());
  }
  const uint64_t now = sources_.now_ms();
  if (name->valid_until_ms <= now) {
    return Text(503, fmt::format("the newest {} list org '{}' published (block {}) expired at {}; "
                                 "it is served again once '{}' publishes a fresh one",
                                 purpose_name, org, name->status_height,
                                 proof::vc::IsoTime(name->valid_until_ms), org));
  }
  auto at = sources_.state_proof(chaincode::LicenceStatusKey(""), name->status_height);
  if (!at.ok()) return Text(503, "cannot read block " + std::to_string(name->status_height));
  if (ToHex(at->header.ComputeHash()) != name->block_hash_hex) {
    return Text(500, fmt::format("the published list names block {} with hash {}, which is not "
                                 "this ledger's block",
                                 name->status_height, name->block_hash_hex));
  }
  auto want = LedgerBits(org, purpose, list);
  if (!want.ok()) return Text(500, want.status().message());
  auto have = proof::vc::DecodeStatusList(cred);
  if (!have.ok()) return Text(500, "the published list's bits: " + have.status().message());
  if (*have != *want) {
    uint64_t index = 0;
    while (index < chaincode::kStatusListLength &&
           proof::vc::ListBit(*have, index) == proof::vc::ListBit(*want, index)) {
      ++index;
    }
    return Text(503, fmt::format("the newest {} list org '{}' published (block {}) no longer "
                                 "matches the ledger: entry {} is {} there; it is served again "
                                 "once '{}' publishes a fresh one",
                                 purpose_name, org, name->status_height, index,
                                 proof::vc::ListBit(*want, index) ? "set" : "clear", org));
  }
  return HttpReply{200, "application/vc+ld+json", cred.dump(2) + "\n"};
}

}  // namespace licenced::node
