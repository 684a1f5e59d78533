// CredentialService: what the node's HTTP listener serves for Verifiable
// Credentials (docs/credentials.md): the licence JSON-LD context and the
// signed Bitstring Status List credentials of the node's own org, derived on
// each request from the statuses proven at the node's head block.
//
//   GET /credentials/contexts/licence/v1              the shipped context
//   GET /credentials/status/<org>/<purpose>/<list>    a status list credential
//
// A list of an org whose issuing key this node does not hold is answered 404
// naming the reason; nothing is ever served unsigned or from unproven state.
//
// Immutable after construction; Get is thread-safe as far as the sources are.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chaincode/licence_status.h"
#include "core/crypto.h"
#include "core/genesis.h"
#include "core/status.h"
#include "node/ledger_reader.h"

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
    std::function<uint64_t()> now_ms;
  };

  // `issuer_key`: an admin key of `org` (checked by the caller), or nullopt
  // when the node serves no status lists. `public_url` without trailing "/".
  CredentialService(const Genesis* genesis, std::string org,
                    std::optional<crypto::KeyPair> issuer_key, std::string public_url,
                    Sources sources);

  // nullopt: not a credentials path (the caller answers 404 itself).
  std::optional<HttpReply> Get(std::string_view path) const;

 private:
  HttpReply StatusList(const std::string& org, const std::string& purpose,
                       const std::string& list) const;

  const Genesis* genesis_;
  std::string org_;
  std::optional<crypto::KeyPair> issuer_key_;
  std::string public_url_;
  Sources sources_;
};

}  // namespace licenced::node
