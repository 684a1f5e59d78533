// Flow definitions of the two one-stop flows: steps (owner org, role,
// dependencies), the application's public and private fields, and the minimal
// data set each receiving org gets as a sealed box. Documented in docs/flows.md.
// Plain constant data; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace licenced::chaincode {

struct StepDef {
  std::string id;    // e.g. "business_licence"
  std::string name;  // human readable
  std::string org;   // owning org
  std::string role;  // role its clerk needs
  std::vector<std::string> deps;
};

// A sealed box for `org` whose plaintext is a JSON object with exactly `fields`.
struct SealedDef {
  std::string org;
  std::vector<std::string> fields;
};

struct FlowDef {
  std::string id;  // "enterprise", "newborn"
  std::string name;
  std::string case_prefix;               // "ENT", "NBR"
  std::vector<std::string> window_orgs;  // orgs whose window clerks may open it
  uint32_t due_working_days = 1;
  std::vector<StepDef> steps;
  std::vector<std::string> public_fields;   // in clear in the application
  std::vector<std::string> private_fields;  // {"value","salt"}: validated, then committed
  std::vector<SealedDef> sealed_at_open;    // required sealed boxes at opening
};

const std::vector<FlowDef>& Flows();
const FlowDef* FindFlow(const std::string& id);
const StepDef* FindStep(const FlowDef& flow, const std::string& step);
// Sealed boxes required when completing `step` (data handed on to later steps).
std::vector<SealedDef> SealedAtStep(const std::string& flow, const std::string& step);

}  // namespace licenced::chaincode
