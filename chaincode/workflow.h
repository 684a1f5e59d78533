// Internal to chaincode/: the workflow engine's step handlers (workflow_steps.cc)
// called by the generic case/task logic (workflow.cc). Not thread-safe.
#pragma once

#include <string>

#include "chaincode/exec.h"
#include "chaincode/flows.h"

namespace licenced::chaincode {

// Validates the flow-specific public fields, that `commitments_in` holds a
// well-formed commitment for exactly the flow's private fields (copied to
// `commitments`) and args.dedup (-> `dedup_key`). Private values never reach
// the chaincode: the client validated them (client/prepare.h).
Status ValidateApplication(const Exec& e, const FlowDef& flow, const json& pub,
                           const json& commitments_in, json* commitments, std::string* dedup_key);

// Runs the handler of `step` for a completion: validates args.outputs /
// args.sealed, checks licences it uses, issues licences, and
// returns the task's outputs (stored in state: nothing personal in clear).
// `result` receives extra values returned only to the submitting clerk.
// "resident-id/<hex SHA-256 of the number>" marks an assigned resident ID number.
std::string ResidentIdTakenKey(const std::string& resident_id);
// The first free number for (address code, birth date, sex), or an error.
Result<std::string> NextFreeResidentId(const StateView& state, const std::string& address_code,
                                       const Date& birth, char sex);

Result<json> RunStep(Exec& e, json& kase, const StepDef& step, json* result);

}  // namespace licenced::chaincode
