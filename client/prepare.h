// Client-side preparation for licencectl and tests; the Engine never calls
// it. This is where the clock is read and salts are drawn (chaincode/ does
// neither: the layering check refuses clocks and randomness there).
// Personal values never go on the ledger (docs/chaincode.md "Privacy"): the
// client validates them here with the chaincode/identifiers.h checks, then sends only per-field
// commitments (licence_status.h FieldCommitment) and one sealed box per receiving org (X25519
// sealed box to the org's genesis encryption_key) holding exactly that org's minimal data set as
// {"value","salt"} pairs. The holder keeps values and salts (PreparedCase::secrets) to disclose
// fields later; a receiving org's client re-checks the values it decrypts against the case's
// commitments (CheckSealedData). Thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/genesis.h"
#include "core/status.h"

namespace licenced::client {

using RandomBytes = std::function<Bytes(size_t)>;

// Milliseconds since the Unix epoch from the system clock (the default "now"
// of the client-side checks; the chaincode itself only uses block time).
uint64_t ClientNowMs();

// Hex of FieldCommitment(field, value, salt): what goes on the ledger.
std::string CommitmentHex(std::string_view field, std::string_view value, ByteView salt);

struct PreparedCase {
  nlohmann::json args;     // workflow.open_case arguments (no personal value in clear)
  nlohmann::json secrets;  // field -> {"value","salt"}: keep on the window client / holder
};

// `application`: {"flow", "holder_key", "public": {...}, "private": {field: "value"}}.
// Validates every private value (ID numbers' check characters and birth dates,
// birth time not in the future at `now_ms` nor more than a year before it, ...)
// with errors naming the field ("private.legal_rep_id: ..."), then builds
// {"flow","holder_key","public","commitments","dedup","sealed"}.
// REQUIRES: crypto::Init() has succeeded.
Result<PreparedCase> PrepareOpenCase(const Genesis& genesis, std::string_view application,
                                     const RandomBytes& random, uint64_t now_ms);
// As above at ClientNowMs().
Result<PreparedCase> PrepareOpenCase(const Genesis& genesis, std::string_view application,
                                     const RandomBytes& random);

// The private-value checks of PrepareOpenCase alone. `values`: field -> string.
Status ValidatePrivateValues(const Genesis& genesis, const std::string& flow,
                             const nlohmann::json& public_fields, const nlohmann::json& values,
                             uint64_t now_ms);
// The duplicate-application tag (hex SHA-256 over the identifying private
// values): the chaincode keeps "dedup/<flow>/<tag>" while the case is open.
// REQUIRES: ValidatePrivateValues(...).ok()
std::string DedupTag(const std::string& flow, const nlohmann::json& values);

// Seals `plaintext` (compact JSON) to `org`'s encryption key and returns
// {"ciphertext": hex, "sha256": hex(SHA-256(ciphertext)), "fields": [sorted keys]}.
Result<nlohmann::json> SealForOrg(const Genesis& genesis, const std::string& org,
                                  const nlohmann::json& plaintext);

// Opens a sealed box (hex) with the org's encryption key pair; returns its JSON.
Result<nlohmann::json> OpenSealed(const crypto::BoxKeyPair& key, std::string_view ciphertext_hex);

// The receiving department's check: every {"value","salt"} field of a
// decrypted box must match the case's commitment of that field (`kase` is the
// "case" query result; guardian_name/guardian_id map to the mother's or
// father's fields per public.guardian). FailedPrecondition naming the field
// otherwise: the box does not hold what the window committed to.
Status CheckSealedData(const nlohmann::json& kase, const nlohmann::json& plaintext);

struct PreparedStep {
  nlohmann::json args;     // workflow.complete arguments
  nlohmann::json secrets;  // field -> {"value","salt"} the holder keeps
};

// Arguments of workflow.complete for a newborn case's household_registration
// task, built by the ASSIGNING police client: `police_box` is the plaintext of
// its sealed box (Query("sealed", {case_id, "police"})), already checked with
// CheckSealedData; `resident_id` the number from Query("next_resident_id")
// or the clerk. Validates the number (GB 11643 check character, not born after
// `now_ms`) and that its address code, birth date and sex match the box, then
// sends only its commitment and tag, and seals {value, salt} on to social.
Result<PreparedStep> PrepareHouseholdRegistration(const Genesis& genesis,
                                                  const std::string& task_id,
                                                  const nlohmann::json& police_box,
                                                  const std::string& resident_id,
                                                  const RandomBytes& random, uint64_t now_ms);

// licence.issue written with clear values ("fields": {f: {"value","salt"}} or
// {f: "value"}, and for holder_code_type resident_id "holder_code":
// {"value","salt"} or "value") -> the on-ledger arguments ("commitments",
// "holder_code_commitment") plus the secrets. Missing salts come from `random`.
// A resident ID holder code is validated (not born after `now_ms`).
Result<PreparedStep> PrepareIssueLicence(const nlohmann::json& clear_args,
                                         const RandomBytes& random, uint64_t now_ms);
// As above at ClientNowMs() with libsodium randomness.
Result<PreparedStep> PrepareIssueLicence(const nlohmann::json& clear_args);

}  // namespace licenced::client
