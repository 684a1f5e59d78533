// The two flows' application validation and step handlers.
#include <algorithm>
#include <set>

#include "chaincode/identifiers.h"
#include "chaincode/workflow.h"
#include "core/crypto.h"

namespace licenced::chaincode {
namespace {

std::string Pad(uint64_t v, size_t width) {
  std::string s = std::to_string(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

Status Prefixed(const std::string& prefix, const Status& st) {
  if (st.ok()) return st;
  return Status(st.code(), prefix + st.message());
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> ReqPublicString(const json& pub, const std::string& f, size_t max = 512) {
  return ReqString(pub, f, max);
}

Result<json> StepOutputs(const json& args) {
  auto it = args.find("outputs");
  if (it == args.end() || it->is_null()) return json::object();
  if (!it->is_object()) return Status::InvalidArgument("outputs: expected an object");
  return *it;
}

json PickCommitments(const json& kase, std::initializer_list<const char*> fields) {
  json out = json::object();
  for (const char* f : fields) out[f] = kase["commitments"][f];
  return out;
}

Result<std::string> UsableCaseLicence(const Exec& e, const json& kase, const std::string& type) {
  auto it = kase["outputs"]["licences"].find(type);
  if (it == kase["outputs"]["licences"].end()) {
    return Status::FailedPrecondition("case " + kase["id"].get<std::string>() + " has no " + type +
                                      " licence yet");
  }
  return RequireUsableLicence(e, it->get<std::string>());
}

// ---- Application validation ----

Status ValidateEnterprise(const json& pub) {
  static const std::set<std::string> kTypes = {"limited_company", "joint_stock_company",
                                               "sole_proprietorship", "partnership",
                                               "individual_business"};
  static const std::set<std::string> kSeals = {"official", "financial", "invoice", "contract",
                                               "legal_representative"};
  LIC_ASSIGN_OR_RETURN(std::string type, ReqPublicString(pub, "enterprise_type", 64));
  if (kTypes.count(type) == 0) {
    return Status::InvalidArgument("public.enterprise_type: unknown type '" + type + "'");
  }
  LIC_ASSIGN_OR_RETURN(std::string region, ReqPublicString(pub, "region_code", 6));
  LIC_RETURN_IF_ERROR(ValidateRegionCode(region, "public.region_code"));
  LIC_RETURN_IF_ERROR(
      Prefixed("public.", ReqInt(pub, "registered_capital", 1, 10'000'000'000'000LL).status()));
  LIC_RETURN_IF_ERROR(Prefixed("public.", ReqPublicString(pub, "business_scope", 2000).status()));
  LIC_ASSIGN_OR_RETURN(auto seals, [&]() -> Result<std::vector<std::string>> {
    auto r = ReqStringList(pub, "seals");
    if (!r.ok()) return Prefixed("public.", r.status());
    return r;
  }());
  std::set<std::string> seen;
  for (const auto& s : seals) {
    if (kSeals.count(s) == 0)
      return Status::InvalidArgument("public.seals: unknown seal kind '" + s + "'");
    if (!seen.insert(s).second)
      return Status::InvalidArgument("public.seals: '" + s + "' listed twice");
  }
  LIC_RETURN_IF_ERROR(Prefixed("public.", ReqInt(pub, "employees", 0, 10'000'000).status()));
  LIC_RETURN_IF_ERROR(Prefixed("public.", ReqPublicString(pub, "bank", 200).status()));
  return Status::Ok();
}

Status ValidateNewborn(const json& pub) {
  LIC_ASSIGN_OR_RETURN(std::string guardian, ReqPublicString(pub, "guardian", 16));
  if (guardian != "mother" && guardian != "father") {
    return Status::InvalidArgument("public.guardian: expected mother or father");
  }
  LIC_ASSIGN_OR_RETURN(std::string region, ReqPublicString(pub, "region_code", 6));
  LIC_RETURN_IF_ERROR(ValidateRegionCode(region, "public.region_code"));
  return Status::Ok();
}

// ---- Step handlers ----

Result<json> BusinessLicence(Exec& e, json& kase) {
  std::string region = kase["public"]["region_code"];
  uint64_t n = e.NextCounter("credit-code/" + region);
  std::string org_code = "MA";
  std::string digits;
  for (int i = 0; i < 7; ++i) {
    digits.insert(digits.begin(), kCreditCodeAlphabet[n % 31]);
    n /= 31;
  }
  org_code += digits;
  LIC_ASSIGN_OR_RETURN(std::string credit_code, MakeCreditCode('9', '1', region, org_code));
  IssueRequest req;
  req.type_code = "BL";
  req.issuer_org = "market";
  req.holder_key_hex = kase["holder_key"];
  req.holder_code_type = "credit_code";
  req.holder_code = credit_code;
  req.number = credit_code;
  req.commitments = PickCommitments(kase, {"enterprise_name", "address", "legal_rep_name"});
  req.public_fields = {{"enterprise_type", kase["public"]["enterprise_type"]},
                       {"registered_capital", kase["public"]["registered_capital"]},
                       {"business_scope", kase["public"]["business_scope"]}};
  req.jurisdiction = region;
  req.case_id = kase["id"];
  LIC_ASSIGN_OR_RETURN(json rec, IssueLicence(e, req));
  kase["outputs"]["credit_code"] = credit_code;
  kase["outputs"]["licences"]["BL"] = rec["identifier"];
  return json{{"credit_code", credit_code}, {"licence", rec["identifier"]}};
}

Result<json> SealFiling(Exec& e, json& kase) {
  LIC_RETURN_IF_ERROR(UsableCaseLicence(e, kase, "BL").status());
  std::string region = kase["public"]["region_code"];
  std::string year = std::to_string(LocalDate(e.genesis, e.ctx.block_time_ms).year);
  json filings = json::array();
  for (const auto& seal : kase["public"]["seals"]) {
    uint64_t n = e.NextCounter("seal-filing/" + region + "/" + year);
    filings.push_back({{"seal", seal}, {"filing_number", region + year + Pad(n, 6)}});
  }
  kase["outputs"]["seal_filings"] = filings;
  return json{{"filings", filings}};
}

Result<json> SealEngraving(Exec& e, json& kase, const json& outputs) {
  LIC_RETURN_IF_ERROR(UsableCaseLicence(e, kase, "BL").status());
  std::vector<std::string> filed;
  for (const auto& f : kase["outputs"]["seal_filings"]) filed.push_back(f["filing_number"]);
  std::sort(filed.begin(), filed.end());
  std::vector<std::string> engraved = filed;  // default: every filed seal
  if (outputs.contains("filing_numbers")) {
    auto got = ReqStringList(outputs, "filing_numbers");
    if (!got.ok()) return Prefixed("outputs.", got.status());
    engraved = *got;
    std::sort(engraved.begin(), engraved.end());
  }
  if (engraved != filed) {
    return Status::InvalidArgument("outputs.filing_numbers: must list exactly the " +
                                   std::to_string(filed.size()) + " filed seals of this case");
  }
  return json{
      {"engraved", engraved}, {"engraver", e.signer.name}, {"engraver_key", e.signer.key_hex}};
}

Result<json> SocialSecurity(Exec& e, json& kase) {
  LIC_RETURN_IF_ERROR(UsableCaseLicence(e, kase, "BL").status());
  std::string number = "SS" + kase["outputs"]["credit_code"].get<std::string>();
  return json{{"employer_number", number}, {"employees", kase["public"]["employees"]}};
}

Result<json> Taxpayer(Exec& e, json& kase, const json& outputs) {
  LIC_RETURN_IF_ERROR(UsableCaseLicence(e, kase, "BL").status());
  static const std::set<std::string> kInvoices = {"vat_general", "vat_special", "electronic"};
  std::vector<std::string> invoices;
  if (outputs.contains("invoice_types")) {
    auto r = ReqStringList(outputs, "invoice_types", true);
    if (!r.ok()) return Prefixed("outputs.", r.status());
    for (const auto& i : *r) {
      if (kInvoices.count(i) == 0) {
        return Status::InvalidArgument("outputs.invoice_types: unknown invoice type '" + i + "'");
      }
    }
    invoices = *r;
  }
  return json{{"taxpayer_id", kase["outputs"]["credit_code"]}, {"invoice_types", invoices}};
}

Result<json> BankAccount(Exec& e, json& kase, const json& outputs) {
  LIC_ASSIGN_OR_RETURN(std::string bl, UsableCaseLicence(e, kase, "BL"));
  auto acct = ReqString(outputs, "account_number", 25);
  if (!acct.ok()) return Prefixed("outputs.", acct.status());
  if (!AllDigits(*acct) || acct->size() < 10) {
    return Status::InvalidArgument("outputs.account_number: expected 10-25 digits");
  }
  return json{{"account_number", *acct}, {"licence_checked", bl}};
}

Result<json> BirthCertificate(Exec& e, json& kase, const json& outputs) {
  auto num = ReqString(outputs, "certificate_number", 10);
  if (!num.ok()) return Prefixed("outputs.", num.status());
  LIC_RETURN_IF_ERROR(
      Prefixed("outputs.certificate_number: ", ValidateBirthCertificateNumber(*num)));
  if (auto other = e.state.Get("bmc/" + *num)) {
    return Status::AlreadyExists("birth medical certificate " + *num + " is already used by case " +
                                 ToString(*other));
  }
  e.state.Put("bmc/" + *num, ToBytes(kase["id"].get<std::string>()));
  IssueRequest req;
  req.type_code = "BMC";
  req.issuer_org = "health";
  req.holder_key_hex = kase["holder_key"];
  req.holder_code_type = "none";
  req.number = *num;
  req.commitments = PickCommitments(kase, {"child_name", "sex", "birth_time", "birth_place",
                                           "weight_g", "mother_name", "father_name"});
  req.jurisdiction = kase["public"]["region_code"];
  req.case_id = kase["id"];
  LIC_ASSIGN_OR_RETURN(json rec, IssueLicence(e, req));
  kase["outputs"]["licences"]["BMC"] = rec["identifier"];
  kase["outputs"]["certificate_number"] = *num;
  return json{{"certificate_number", *num}, {"licence", rec["identifier"]}};
}

Result<json> Vaccination(Exec& e, json& kase, const json& outputs) {
  LIC_RETURN_IF_ERROR(UsableCaseLicence(e, kase, "BMC").status());
  auto vaccines = ReqStringList(outputs, "vaccines");
  if (!vaccines.ok()) return Prefixed("outputs.", vaccines.status());
  IssueRequest req;
  req.type_code = "VAC";
  req.issuer_org = "health";
  req.holder_key_hex = kase["holder_key"];
  req.holder_code_type = "none";
  req.commitments = PickCommitments(kase, {"child_name", "birth_time"});
  req.public_fields = {{"vaccines", *vaccines}};
  req.jurisdiction = kase["public"]["region_code"];
  req.case_id = kase["id"];
  LIC_ASSIGN_OR_RETURN(json rec, IssueLicence(e, req));
  kase["outputs"]["licences"]["VAC"] = rec["identifier"];
  return json{{"vaccines", *vaccines}, {"licence", rec["identifier"]}};
}

// The police client assigned, validated and committed the number (client/prepare.h
// PrepareHouseholdRegistration); the ledger only sees its commitment, its tag
// (to refuse a number already assigned) and the sealed box to social.
Result<json> HouseholdRegistration(Exec& e, json& kase, const json& outputs) {
  LIC_RETURN_IF_ERROR(UsableCaseLicence(e, kase, "BMC").status());
  if (outputs.contains("resident_id")) {
    return Status::InvalidArgument(
        "outputs.resident_id: the number must not go on the ledger in clear; send "
        "resident_id_commitment and resident_id_tag (the police client computes them)");
  }
  auto commit = ReqCommitment(outputs, "resident_id_commitment");
  if (!commit.ok()) return Prefixed("outputs.", commit.status());
  auto tag = ReqCommitment(outputs, "resident_id_tag");
  if (!tag.ok()) return Prefixed("outputs.", tag.status());
  std::string taken_key = "resident-id/" + *tag;
  if (e.state.Get(taken_key)) {
    return Status::AlreadyExists(
        "outputs.resident_id_tag: this ID number is already assigned; ask "
        "query next_resident_id for a free one");
  }
  e.state.Put(taken_key, ToBytes(kase["id"].get<std::string>()));
  kase["commitments"]["resident_id"] = *commit;
  IssueRequest req;
  req.type_code = "HRE";
  req.issuer_org = "police";
  req.holder_key_hex = kase["holder_key"];
  req.holder_code_type = "resident_id";  // committed as field "resident_id"
  req.commitments = PickCommitments(
      kase, {"child_name", "sex", "birth_time", "household_address_code", "resident_id"});
  req.jurisdiction = kase["public"]["region_code"];
  req.case_id = kase["id"];
  LIC_ASSIGN_OR_RETURN(json rec, IssueLicence(e, req));
  kase["outputs"]["licences"]["HRE"] = rec["identifier"];
  return json{{"licence", rec["identifier"]}, {"resident_id_commitment", *commit}};
}

Result<json> MedicalInsurance(Exec& e, json& kase) {
  LIC_RETURN_IF_ERROR(UsableCaseLicence(e, kase, "BMC").status());
  LIC_RETURN_IF_ERROR(UsableCaseLicence(e, kase, "HRE").status());
  std::string region = kase["public"]["region_code"];
  uint64_t n = e.NextCounter("medical-insurance/" + region);
  return json{{"enrolment_number", "MI" + region + Pad(n, 8)}};
}

Result<json> SocialSecurityCard(Exec& e, json& kase) {
  LIC_RETURN_IF_ERROR(UsableCaseLicence(e, kase, "HRE").status());
  IssueRequest req;
  req.type_code = "SSC";
  req.issuer_org = "social";
  req.holder_key_hex = kase["holder_key"];
  req.holder_code_type = "resident_id";
  req.commitments = PickCommitments(kase, {"child_name", "resident_id"});
  req.jurisdiction = kase["public"]["region_code"];
  req.case_id = kase["id"];
  LIC_ASSIGN_OR_RETURN(json rec, IssueLicence(e, req));
  kase["outputs"]["licences"]["SSC"] = rec["identifier"];
  return json{{"licence", rec["identifier"]}, {"card_number", rec["serial"]}};
}

}  // namespace

std::string ResidentIdTakenKey(const std::string& resident_id) {
  return "resident-id/" + ResidentIdTag(resident_id);
}

Result<std::string> NextFreeResidentId(const StateView& state, const std::string& address_code,
                                       const Date& birth, char sex) {
  for (uint32_t n = 0; n < 500; ++n) {
    LIC_ASSIGN_OR_RETURN(std::string rid, MakeResidentId(address_code, birth, sex, n));
    if (!state.Get(ResidentIdTakenKey(rid))) return rid;
  }
  return Status::FailedPrecondition("no free sequence numbers for this address, date and sex");
}

Status ValidateApplication(const Exec& e, const FlowDef& flow, const json& pub,
                           const json& commitments_in, json* commitments, std::string* dedup_key) {
  for (auto it = pub.begin(); it != pub.end(); ++it) {
    if (std::find(flow.public_fields.begin(), flow.public_fields.end(), it.key()) ==
        flow.public_fields.end()) {
      return Status::InvalidArgument("public." + it.key() + ": not a public field of flow '" +
                                     flow.id + "'");
    }
  }
  for (auto it = commitments_in.begin(); it != commitments_in.end(); ++it) {
    if (std::find(flow.private_fields.begin(), flow.private_fields.end(), it.key()) ==
        flow.private_fields.end()) {
      return Status::InvalidArgument("commitments." + it.key() + ": not a private field of flow '" +
                                     flow.id + "'");
    }
  }
  for (const auto& f : flow.private_fields) {
    auto c = ReqCommitment(commitments_in, f);
    if (!c.ok()) return Prefixed("commitments.", c.status());
    (*commitments)[f] = *c;
  }
  // The tag is computed by the client from the identifying values; the
  // chaincode cannot recompute it (docs/chaincode.md "Privacy").
  LIC_ASSIGN_OR_RETURN(std::string tag, ReqCommitment(e.args, "dedup"));
  *dedup_key = "dedup/" + flow.id + "/" + tag;
  if (flow.id == "enterprise") return ValidateEnterprise(pub);
  return ValidateNewborn(pub);
}

Result<json> RunStep(Exec& e, json& kase, const StepDef& step, json* result) {
  (void)result;
  LIC_ASSIGN_OR_RETURN(json outputs, StepOutputs(e.args));
  const std::string& s = step.id;
  if (s == "business_licence") return BusinessLicence(e, kase);
  if (s == "seal_filing") return SealFiling(e, kase);
  if (s == "seal_engraving") return SealEngraving(e, kase, outputs);
  if (s == "social_security") return SocialSecurity(e, kase);
  if (s == "taxpayer") return Taxpayer(e, kase, outputs);
  if (s == "bank_account") return BankAccount(e, kase, outputs);
  if (s == "birth_certificate") return BirthCertificate(e, kase, outputs);
  if (s == "vaccination") return Vaccination(e, kase, outputs);
  if (s == "household_registration") return HouseholdRegistration(e, kase, outputs);
  if (s == "medical_insurance") return MedicalInsurance(e, kase);
  if (s == "social_security_card") return SocialSecurityCard(e, kase);
  return Status::Internal("no handler for step " + s);
}

}  // namespace licenced::chaincode
