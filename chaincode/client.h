// Client-side helpers for licencectl and tests; the Engine never calls them.
// They turn a clear-text application file (examples/*-application.json) into
// workflow.open_case arguments: per-field salts from the CALLER's random source,
// {"value","salt"} private fields, and one sealed box per receiving org (X25519
// sealed box to the org's genesis encryption_key) holding exactly that org's
// minimal data set. Thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/genesis.h"
#include "core/status.h"

namespace licenced::chaincode {

using RandomBytes = std::function<Bytes(size_t)>;

struct PreparedCase {
  nlohmann::json args;     // workflow.open_case arguments
  nlohmann::json secrets;  // field -> {"value","salt"}: keep on the window client
};

// `application`: {"flow", "holder_key", "public": {...}, "private": {field: "value"}}.
// REQUIRES: crypto::Init() has succeeded.
Result<PreparedCase> PrepareOpenCase(const Genesis& genesis, std::string_view application,
                                     const RandomBytes& random);

// Seals `plaintext` (compact JSON) to `org`'s encryption key and returns
// {"ciphertext": hex, "sha256": hex(SHA-256(ciphertext)), "fields": [sorted keys]}.
Result<nlohmann::json> SealForOrg(const Genesis& genesis, const std::string& org,
                                  const nlohmann::json& plaintext);

// Arguments of workflow.complete for a newborn case's household_registration
// task, built by the police client from its opened sealed box (`police_box`,
// the plaintext of Query("sealed", {case_id, "police"})), the number from
// Query("next_resident_id", ...), and a fresh salt from `random`. Seals the
// number (with its salt) on to social.
Result<nlohmann::json> PrepareHouseholdRegistration(const Genesis& genesis,
                                                    const std::string& task_id,
                                                    const nlohmann::json& police_box,
                                                    const std::string& resident_id,
                                                    const RandomBytes& random);

// Opens a sealed box (hex) with the org's encryption key pair; returns its JSON.
Result<nlohmann::json> OpenSealed(const crypto::BoxKeyPair& key, std::string_view ciphertext_hex);

}  // namespace licenced::chaincode
