// The Bitstring Status List credentials that issuing orgs publish on the
// ledger (licence.publish_status_list, docs/credentials.md): their state key
// and what a published list names. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/genesis.h"
#include "core/status.h"

namespace licenced::chaincode {

// "licence/status-list/<org>/<purpose>/<list>" -> the newest status list
// credential the org published, canonical JSON. `purpose` is "revocation"
// or "suspension".
std::string PublishedStatusListKey(std::string_view org, std::string_view purpose, uint64_t list);

struct PublishedListName {
  std::string org;      // issuer.issuerOrg, an org of the genesis
  std::string purpose;  // "revocation" or "suspension"
  uint64_t list = 0;    // the id's last path segment
  uint64_t status_height = 0;
  std::string block_hash_hex;
  uint64_t valid_until_ms = 0;
  crypto::PublicKey issuer_key{};  // issuer.id, an admin key of `org`
};

// What a status list credential names and who issued it, checked for shape
// and issuer (not its proof): InvalidArgument or PermissionDenied naming the
// field.
Result<PublishedListName> ParsePublishedListName(const Genesis& genesis,
                                                 const nlohmann::json& credential);

}  // namespace licenced::chaincode
