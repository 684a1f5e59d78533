// Internal to chaincode/: the workflow engine's step handlers (workflow_steps.cc)
// called by the generic case/task logic (workflow.cc). Not thread-safe.
#pragma once

#include <string>

#include "chaincode/exec.h"
#include "chaincode/flows.h"

namespace licenced::chaincode {

// Validates the flow-specific public and private application fields. `commitments`
// receives field -> hex commitment for every private field.
Status ValidateApplication(const Exec& e, const FlowDef& flow, const json& pub, const json& priv,
                           json* commitments, std::string* dedup_key);

// Runs the handler of `step` for a completion: validates args.outputs /
// args.disclose / args.salts, checks licences it uses, issues licences, and
// returns the task's outputs (stored in state: nothing personal in clear).
// `result` receives extra values returned only to the submitting clerk.
Result<json> RunStep(Exec& e, json& kase, const StepDef& step, json* result);

}  // namespace licenced::chaincode
