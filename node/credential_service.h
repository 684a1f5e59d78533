// CredentialService: what the node's HTTP listener serves for Verifiable
// Credentials (docs/credentials.md): the licence JSON-LD context and the
// signed Bitstring Status List credentials of every issuing org.
//
//   GET /credentials/contexts/licence/v1              the shipped context
//   GET /credentials/status/<org>/<purpose>/<list>    a status list credential
//
// The node's own org's lists (when it holds the org's issuing key) are built
// on each request from the statuses proven at the node's head block. Any
// other org's list is the newest one that org published on the ledger
// (licence.publish_status_list), served only while it verifies, is within
// its validity and its bits equal the statuses in the node's newest state;
// otherwise the answer names why (404 none published, 503 expired or behind
// the ledger). Nothing is ever served unsigned or from unproven state.
//
// Immutable after construction; Get is thread-safe as far as the sources are.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chaincode/licence_status.h"
#include "core/crypto.h"
#include "core/genesis.h"
#include "core/status.h"
#include "node/ledger_reader.h"
#include "proof/credential.h"

namespace licenced::node {

struct HttpReply {
  int status = 200;
  std::string content_type;
  std::string body;
};

class CredentialService {
 public:
  struct Sources {
    // The org's licences in status-list position order (latest state).
    std::function<Result<std::vector<chaincode::StatusListMember>>(const std::string& org)> members;
    // A key's value at the header of block `height` (0 = the head).
    std::function<Result<StateInclusion>(std::string_view key, uint64_t height)> state_proof;
    // A key's value in the state after block `height` under its state
    // certificate (0 = the newest certified); `header` = that block's.
    std::function<Result<StateInclusion>(std::string_view key, uint64_t height)>
        certified_state_proof;
    // A key's value in the newest executed state (after the head block).
    std::function<Result<std::optional<Bytes>>(std::string_view key)> latest;
    std::function<uint64_t()> now_ms;
  };

  // `issuer_key`: an admin key of `org` (checked by the caller), or nullopt
  // when the node serves no status lists. `public_url` without trailing "/".
  CredentialService(const Genesis* genesis, std::string org,
                    std::optional<crypto::KeyPair> issuer_key, std::string public_url,
                    Sources sources);

  // nullopt: not a credentials path (the caller answers 404 itself).
  std::optional<HttpReply> Get(std::string_view path) const;

  // ---- for the node's status list publisher (node/status_list_publisher.h) ----
  bool signs_own_lists() const { return issuer_key_.has_value(); }
  const std::string& org() const { return org_; }
  // The own org's list, signed, from the statuses proven at the head.
  // Unavailable before the first certified block; FailedPrecondition without
  // the issuing key.
  Result<nlohmann::json> BuildOwnList(proof::vc::StatusPurpose purpose, uint64_t list) const;
  // How many lists the own org's licences fill (at least 1).
  Result<uint64_t> OwnListCount() const;
  // The newest list `org` published, in the newest executed state (nullopt:
  // none). Its own signature authenticates it; that state is one block ahead
  // of what the head's header proves, so a publication is seen as soon as
  // its block executed.
  Result<std::optional<nlohmann::json>> Published(const std::string& org,
                                                  proof::vc::StatusPurpose purpose,
                                                  uint64_t list) const;
  // The bits a list of `org` has to carry now: every licence's status in the
  // newest executed state.
  Result<Bytes> LedgerBits(const std::string& org, proof::vc::StatusPurpose purpose,
                           uint64_t list) const;

 private:
  HttpReply StatusList(const std::string& org, const std::string& purpose,
                       const std::string& list) const;
  HttpReply ServePublished(const std::string& org, proof::vc::StatusPurpose purpose,
                           uint64_t list) const;
  // (position, stored status) of each list member issued before the head.
  Result<std::vector<std::pair<uint64_t, chaincode::LicenceStatus>>> HeadEntries(
      const std::string& org, uint64_t list, const consensus::BlockHeader& head) const;

  const Genesis* genesis_;
  std::string org_;
  std::optional<crypto::KeyPair> issuer_key_;
  std::string public_url_;
  Sources sources_;
};

}  // namespace licenced::node
