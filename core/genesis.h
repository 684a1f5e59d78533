// The genesis file: the network's organisations, validators, admin keys,
// licence types and calendar. Everything permissioned starts here.
//
// Format (JSON, see docs/chaincode.md):
//   { "network_id", "genesis_time_ms",
//     "organisations": [ { "id", "name", "runs_validator", "admin_keys": [hex],
//                          "encryption_key": hex, "credit_code"? } ],
//     "validators": [ { "name", "org", "public_key": hex, "address" } ],
//     "licence_types": [ { "code", "name", "issuer_orgs": [org], "validity_days" } ],
//     "holidays": ["YYYY-MM-DD"], "utc_offset_minutes"? (default 480, China),
//     "consensus": { "checkpoint_interval", "watermark_window",
//                    "order_ahead_window"? (default 1) },
//     "governance"?: { "approval_threshold"? (default 0: 2f+1 of the validator orgs),
//                      "proposal_ttl_blocks"? (default 1000) } }
// Optional fields are additive: a genesis without them keeps its meaning (and hash).
//
// Genesis is a plain value; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"

namespace licenced {

struct GenesisOrg {
  std::string id;    // [a-z][a-z0-9_-]{0,31}
  std::string name;  // human readable
  bool runs_validator = false;
  std::vector<crypto::PublicKey> admin_keys;  // at least one
  crypto::BoxPublicKey encryption_key{};      // X25519, receives sealed case data
  // Unified social credit code of the department (issuer code on licences).
  // Optional in the file; empty means "derive one" (chaincode does, deterministically).
  std::string credit_code;
};

struct GenesisValidator {
  std::string name;  // node id, e.g. "market-0"
  std::string org;   // must name an organisation with runs_validator = true
  crypto::PublicKey public_key{};
  std::string address;  // host:port of its PeerApi
};

struct GenesisLicenceType {
  std::string code;  // [A-Z0-9]{1,21}, used inside licence identifiers
  std::string name;
  std::vector<std::string> issuer_orgs;  // organisations allowed to issue it
  uint32_t validity_days = 0;            // 0 = no end of validity
};

struct GenesisConsensus {
  uint64_t checkpoint_interval = 32;
  uint64_t watermark_window = 64;
  // Blocks ordered ahead of execution (docs/consensus.md "Certified
  // execution"): header h carries the state root after block h - W. 1, the
  // rule of networks made before the field existed, when absent; written
  // only when not 1, so that those genesis files keep their hash.
  uint64_t order_ahead_window = 1;
};

// How governance proposals (chaincode/governance.cc) are decided. Written
// only when not the defaults, so that genesis files without the object keep
// their hash.
struct GenesisGovernance {
  // Validator orgs whose admins must approve a proposal; 0 = 2f + 1 of the
  // validator orgs (f = (n - 1) / 3). Otherwise a majority of them at least.
  uint32_t approval_threshold = 0;
  // A proposal not applied within this many blocks of its own expires.
  uint64_t proposal_ttl_blocks = 1000;

  bool IsDefault() const { return approval_threshold == 0 && proposal_ttl_blocks == 1000; }
};

struct Genesis {
  std::string network_id;
  uint64_t genesis_time_ms = 0;
  std::vector<GenesisOrg> organisations;
  std::vector<GenesisValidator> validators;  // order = ReplicaId
  std::vector<GenesisLicenceType> licence_types;
  std::vector<std::string> holidays;  // "YYYY-MM-DD", sorted, unique
  int32_t utc_offset_minutes = 480;   // calendar days/weekdays are local to this offset
  GenesisConsensus consensus;
  GenesisGovernance governance;

  // The exact bytes Parse() was given (ComputeHash hashes these). Empty for a
  // genesis built in code; ComputeHash then hashes ToJson().
  std::string raw_json;

  // Parses and validates every field; errors name the field, e.g.
  // "genesis: organisations[2].encryption_key: expected 64 hex characters".
  static Result<Genesis> Parse(std::string_view json);
  static Result<Genesis> LoadFile(const std::string& path);
  // Checks a genesis built in code the same way Parse does.
  Status Validate() const;

  // SHA-256 of the genesis file bytes (raw_json, or ToJson() if empty).
  Hash ComputeHash() const;
  // Pretty JSON in the file format (2-space indent, trailing newline). Parse(ToJson())
  // gives back an equal genesis.
  std::string ToJson() const;

  const GenesisOrg* FindOrg(std::string_view id) const;
  const GenesisLicenceType* FindLicenceType(std::string_view code) const;
  // The org whose admin_keys contain `key`, or nullptr.
  const GenesisOrg* OrgOfAdmin(const crypto::PublicKey& key) const;
  bool IsHoliday(std::string_view yyyy_mm_dd) const;
  // The distinct orgs of `validators`, in validator order.
  std::vector<std::string> ValidatorOrgs() const;
  // governance.approval_threshold, or 2f + 1 of ValidatorOrgs() when it is 0.
  uint32_t DefaultApprovalThreshold() const;
};

// The genesis' own field rules, for values that arrive later (governance).
bool IsValidOrgId(std::string_view id);         // [a-z][a-z0-9_-]{0,31}
bool IsValidDate(std::string_view yyyy_mm_dd);  // a real calendar date
bool IsValidCreditCode(std::string_view code);  // GB 32100, with its check character

// A deterministic development network for tests and local tools: orgs market,
// police, social, tax (validators) and health, bank (members); licence types
// from DefaultLicenceTypes(); holidays of 2026-2027 (Chinese public holidays).
// Keys are derived from SHA-256("licenced/dev/<purpose>/<org>/<index>") so every
// run yields the same genesis; never use them outside development.
struct DevNetwork {
  Genesis genesis;
  std::map<std::string, crypto::KeyPair> admin_keys;          // org -> admin
  std::map<std::string, crypto::BoxKeyPair> encryption_keys;  // org -> X25519
  std::vector<crypto::KeyPair> validator_keys;                // same order as validators
};

// REQUIRES: crypto::Init() has succeeded.
DevNetwork MakeDevNetwork(uint64_t genesis_time_ms = 1764115200000ULL,
                          std::string network_id = "licenced-local");

// The default licence types (code, name, issuers, validity) used by
// MakeDevNetwork; deploy tools can reuse them.
std::vector<GenesisLicenceType> DefaultLicenceTypes();

// Deterministic dev key for (purpose, name, index); exposed for test helpers.
crypto::Seed DevSeed(std::string_view purpose, std::string_view name, uint32_t index = 0);

}  // namespace licenced
