// Internal to chaincode/: the per-transaction execution context shared by the
// identity, licence and workflow modules, JSON argument helpers, the signer's
// resolved identity and the working-day calendar. Not thread-safe (one per tx).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chaincode/engine.h"
#include "chaincode/identifiers.h"
#include "chaincode/licence_status.h"
#include "core/genesis.h"

namespace licenced::chaincode {

using json = nlohmann::json;

// Roles a clerk can hold. Org admins (genesis admin_keys) hold every role valid
// for their org.
inline constexpr std::string_view kRoleWindow = "window";        // opens cases
inline constexpr std::string_view kRoleClerk = "clerk";          // works its org's tasks
inline constexpr std::string_view kRoleLicensing = "licensing";  // issues/suspends/... licences
inline constexpr std::string_view kRoleEngraver = "engraver";    // police-enrolled seal engraver
bool IsKnownRole(std::string_view role);
bool RoleAllowedInOrg(std::string_view role, std::string_view org);

struct Signer {
  crypto::PublicKey key{};
  std::string key_hex;
  std::string org;
  std::string name;
  std::set<std::string> roles;
  bool is_admin = false;
};

// JSON helpers (all errors InvalidArgument naming the field).
Result<json> ParseArgs(std::string_view text);
Result<std::string> ReqString(const json& obj, const std::string& field, size_t max_len = 512);
Result<std::optional<std::string>> OptString(const json& obj, const std::string& field,
                                             size_t max_len = 512);
Result<int64_t> ReqInt(const json& obj, const std::string& field, int64_t min, int64_t max);
Result<std::vector<std::string>> ReqStringList(const json& obj, const std::string& field,
                                               bool allow_empty = false);
Result<crypto::PublicKey> ParsePublicKeyHex(std::string_view hex, const std::string& field);
Result<Bytes> ParseSalt(const json& v, const std::string& field);
// {"value": str, "salt": hex} -> (value, salt)
struct SaltedValue {
  std::string value;
  Bytes salt;
};
Result<SaltedValue> ReqSalted(const json& obj, const std::string& field);
// A commitment (or tag) sent instead of a personal value: exactly 64 lower-case
// hex characters. Errors name `field`.
Result<std::string> ReqCommitment(const json& obj, const std::string& field);
// The path ("private.legal_rep_id") of the first object anywhere in `args` that
// holds both "value" and "salt", i.e. a personal value sent in clear; "" if none.
std::string FindClearValue(const json& args, const std::string& path = "");
std::string HexOf(const Hash& h);

// Calendar in the genesis' local offset.
Date LocalDate(const Genesis& g, uint64_t time_ms);
uint64_t LocalMidnightMs(const Genesis& g, const Date& d);  // start of the local day
// The genesis' holidays, or a list in force (chaincode/registry.h Holidays()).
bool IsWorkingDay(const Genesis& g, const Date& d);
bool IsWorkingDay(const std::vector<std::string>& holidays, const Date& d);
// The same local time of day on the n-th working day after the opening's date.
uint64_t DueAfterWorkingDays(const Genesis& g, uint64_t open_ms, uint32_t n);
uint64_t DueAfterWorkingDays(const Genesis& g, const std::vector<std::string>& holidays,
                             uint64_t open_ms, uint32_t n);

// Issuer credit code of an org: genesis credit_code, or derived deterministically
// ("11" + "370100" + 9 characters from SHA-256(org id) + check).
std::string OrgCreditCode(const GenesisOrg& org);

class Exec {
 public:
  Exec(const Genesis& genesis, const Transaction& tx, const TxContext& ctx, StateView& state)
      : genesis(genesis), tx(tx), ctx(ctx), state(state) {}

  const Genesis& genesis;
  const Transaction& tx;
  const TxContext& ctx;
  StateView& state;
  Signer signer;
  json args;
  json result = json::object();
  std::vector<Event> events;

  std::string TxIdHex() const { return ToHex(ctx.tx_id); }
  std::optional<json> GetJson(const std::string& key) const;
  // Stores `value` as canonical JSON (core/canonical_json.h); InvalidArgument
  // naming the key if it has no canonical form (nothing is written then).
  Status PutJson(const std::string& key, const json& value);
  // Increments and returns the counter stored at "counter/<name>" (first call: 1).
  uint64_t NextCounter(const std::string& name);
  // Adds {height, tx_id} to `payload` and queues the event with the payload as
  // canonical JSON; InvalidArgument if it has none.
  Status Emit(std::string kind, std::vector<std::string> orgs, const json& payload);
  // Appends {seq, height, tx_id, tx_index, time_ms, actor, actor_org, actor_name,
  // action, detail} at "audit/<subject>/<seq, 10 digits>" (PutJson's errors).
  Status Audit(const std::string& subject, const std::string& action, const json& detail);

  // PermissionDenied unless the signer is in `org` and holds `role`.
  Status RequireOrgRole(std::string_view org, std::string_view role) const;
  Status RequireRole(std::string_view role) const;
};

// Resolves tx.submitter to an active org admin (genesis, or governance:
// chaincode/registry.h) or an active clerk.
Result<Signer> ResolveSigner(const Genesis& g, const StateView& state,
                             const crypto::PublicKey& key);

// True if clerk key `claimed_by` is `signer`, or was rotated (identity.rotate_key,
// at most 32 times over) to `signer`: a task claimed before a rotation stays
// the clerk's.
bool IsSameClerk(const StateView& state, const std::string& claimed_by, const std::string& signer);

// Module entry points (each validates fully before writing anything).
Status ExecIdentity(Exec& e);
Status ExecLicence(Exec& e);
Status ExecWorkflow(Exec& e);
// system.ping: a no-op any org admin or active clerk may sign (liveness probes).
Status ExecSystem(Exec& e);

// Licence registry internals used by the workflow steps.
struct IssueRequest {
  std::string type_code;
  std::string issuer_org;
  std::string holder_key_hex;
  std::string holder_code_type;            // "credit_code", "resident_id", "none"
  std::string holder_code;                 // in clear only for credit_code; else ""
  std::string number;                      // licence number; "" = the serial
  json commitments = json::object();       // field -> hex commitment
  json public_fields = json::object();     // non-personal metadata shown in clear
  std::string jurisdiction;                // 6-digit region code
  std::optional<uint64_t> valid_from_ms;   // nullopt = start of the block's local day
  std::optional<uint64_t> valid_until_ms;  // nullopt = from the type's validity_days
  std::string case_id;
};
// Writes record + status; returns the record JSON.
Result<json> IssueLicence(Exec& e, const IssueRequest& req);
// Follows replaced_by to the newest version and checks its status at block time is
// valid; FailedPrecondition("... is revoked/expired/...") otherwise. Returns the
// identifier of the usable version.
Result<std::string> RequireUsableLicence(const Exec& e, const std::string& identifier);
Result<LicenceStatusValue> LoadLicenceStatus(const StateView& state, const std::string& identifier);

// licence.publish_status_list (chaincode/status_lists.cc).
Status PublishStatusList(Exec& e);

// Queries.
Result<std::string> RunQuery(const Genesis& g, std::string_view method, std::string_view args,
                             const StateView& state, uint64_t now_ms);

}  // namespace licenced::chaincode
