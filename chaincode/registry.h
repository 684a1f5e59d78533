// Internal to chaincode/: the network's membership and rules as the ledger has
// them now, that is the genesis overlaid by the changes governance proposals
// have applied (chaincode/governance.cc). Every permission check in chaincode
// reads through these functions, never the genesis alone, so an org added or
// an admin key replaced by governance counts from the block that applied it.
//
// State keys (canonical JSON values; docs/chaincode.md "Governance"):
//   gov/org/<id>           an org added, or one whose admin keys changed
//   gov/admin/<key hex>    {"org", "status": "active"|"replaced", "height", "replaced_by"}
//   gov/licence_type/<code> {"issuer_orgs": [...]}
//   gov/holidays           {"holidays": ["YYYY-MM-DD", ...]}
//   gov/threshold          {"approval_threshold": n}
// Absent keys mean "as in the genesis". Pure functions of (genesis, state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chaincode/state_view.h"
#include "core/crypto.h"
#include "core/genesis.h"
#include "core/status.h"

namespace licenced::chaincode {

inline constexpr std::string_view kGovOrgPrefix = "gov/org/";
inline constexpr std::string_view kGovAdminPrefix = "gov/admin/";
inline constexpr std::string_view kGovLicenceTypePrefix = "gov/licence_type/";
inline constexpr std::string_view kGovHolidaysKey = "gov/holidays";
inline constexpr std::string_view kGovThresholdKey = "gov/threshold";
inline constexpr std::string_view kGovProposalPrefix = "gov/proposal/";

nlohmann::json OrgToJson(const GenesisOrg& org);
Result<GenesisOrg> OrgFromJson(const nlohmann::json& j);

// The org with `id` (the governance record when there is one), or nullopt.
std::optional<GenesisOrg> FindOrg(const Genesis& g, const StateView& s, std::string_view id);
// Every org: the genesis' in its order (with governance changes), then the
// orgs governance added, by id.
std::vector<GenesisOrg> AllOrgs(const Genesis& g, const StateView& s);

// What an admin key is, if it is one (now or before).
struct AdminKey {
  std::string org;
  bool active = true;            // false: replaced through governance
  uint64_t replaced_height = 0;  // when !active
  std::string replaced_by;       // key hex, when !active
};
std::optional<AdminKey> FindAdminKey(const Genesis& g, const StateView& s,
                                     const crypto::PublicKey& key);

// Orgs that may issue licence type `code` now; empty if the type is unknown.
std::vector<std::string> IssuerOrgs(const Genesis& g, const StateView& s, std::string_view code);
bool MayIssue(const Genesis& g, const StateView& s, std::string_view code, std::string_view org);

// The holiday list in force (sorted, unique).
std::vector<std::string> Holidays(const Genesis& g, const StateView& s);

// Approvals of validator orgs that apply a proposal now.
uint32_t ApprovalThreshold(const Genesis& g, const StateView& s);

// Where `key` is already in use ("an admin key of org 'police'", "the
// consensus key of validator 'tax-0'", "clerk 'Li' of org 'market'"), or ""
// if nowhere. Keys are unique across all these roles.
std::string KeyInUse(const Genesis& g, const StateView& s, const crypto::PublicKey& key);

}  // namespace licenced::chaincode
