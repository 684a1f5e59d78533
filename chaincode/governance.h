// Internal to chaincode/: the governance module's entry points
// (chaincode/governance.cc).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "chaincode/state_view.h"
#include "core/genesis.h"
#include "core/status.h"

namespace licenced::chaincode {

class Exec;

inline constexpr std::string_view kGovernanceKinds =
    "add_org, replace_admin_key, set_issuers, set_holidays, set_threshold, add_validator, "
    "remove_validator, rotate_validator_key";

// governance.propose {kind, change, reason?} and governance.approve {proposal}.
Status ExecGovernance(Exec& e);

// The queries proposal {proposal}, proposals {status?}, governance {} and
// validators {}.
bool IsGovernanceQuery(std::string_view method);
// REQUIRES: IsGovernanceQuery(method)
Result<nlohmann::json> GovernanceQuery(const Genesis& g, std::string_view method,
                                       const nlohmann::json& args, const StateView& s);

}  // namespace licenced::chaincode
