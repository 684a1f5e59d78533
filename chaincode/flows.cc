#include "chaincode/flows.h"

namespace licenced::chaincode {

const std::vector<FlowDef>& Flows() {
  static const std::vector<FlowDef> kFlows = {
      {"enterprise",
       "One-stop enterprise opening",
       "ENT",
       {"market"},
       1,
       {
           {"business_licence", "Business licence", "market", "clerk", {}},
           {"seal_filing", "Seal filing", "police", "clerk", {"business_licence"}},
           {"seal_engraving", "Seal engraving", "police", "engraver", {"seal_filing"}},
           {"social_security",
            "Social-security registration",
            "social",
            "clerk",
            {"business_licence"}},
           {"taxpayer", "Taxpayer registration and invoices", "tax", "clerk", {"business_licence"}},
           {"bank_account",
            "Bank account",
            "bank",
            "clerk",
            {"business_licence", "seal_engraving"}},
       },
       {"enterprise_type", "region_code", "registered_capital", "business_scope", "seals",
        "employees", "bank"},
       {"enterprise_name", "address", "legal_rep_name", "legal_rep_id", "shareholders",
        "finance_officer_name", "finance_officer_id"},
       {
           {"police", {"enterprise_name", "legal_rep_id", "legal_rep_name"}},
           {"social", {"enterprise_name"}},
           {"tax", {"enterprise_name", "finance_officer_id", "finance_officer_name"}},
           {"bank", {"enterprise_name", "legal_rep_id", "legal_rep_name"}},
       }},
      {"newborn",
       "Newborn registration",
       "NBR",
       {"health", "market"},
       5,
       {
           {"birth_certificate", "Birth medical certificate", "health", "clerk", {}},
           {"vaccination", "Vaccination certificate", "health", "clerk", {"birth_certificate"}},
           {"household_registration",
            "Household registration",
            "police",
            "clerk",
            {"birth_certificate"}},
           {"medical_insurance",
            "Medical-insurance enrolment",
            "social",
            "clerk",
            {"household_registration"}},
           {"social_security_card",
            "Social-security card",
            "social",
            "clerk",
            {"household_registration"}},
       },
       {"guardian", "region_code"},
       {"child_name", "sex", "birth_time", "birth_place", "weight_g", "mother_name", "mother_id",
        "father_name", "father_id", "household_address_code"},
       {
           {"health",
            {"birth_place", "birth_time", "child_name", "father_id", "father_name", "mother_id",
             "mother_name", "sex", "weight_g"}},
           {"police",
            {"birth_time", "child_name", "father_id", "father_name", "household_address_code",
             "mother_id", "mother_name", "sex"}},
           {"social", {"child_name", "guardian_id", "guardian_name"}},
       }},
  };
  return kFlows;
}

const FlowDef* FindFlow(const std::string& id) {
  for (const auto& f : Flows()) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const StepDef* FindStep(const FlowDef& flow, const std::string& step) {
  for (const auto& s : flow.steps) {
    if (s.id == step) return &s;
  }
  return nullptr;
}

std::vector<SealedDef> SealedAtStep(const std::string& flow, const std::string& step) {
  if (flow == "newborn" && step == "household_registration") return {{"social", {"resident_id"}}};
  return {};
}

}  // namespace licenced::chaincode
