#include "client/prepare.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "chaincode/exec.h"
#include "chaincode/flows.h"
#include "chaincode/identifiers.h"
#include "chaincode/licence_status.h"

namespace licenced::client {

using chaincode::CivilFromDays;
using chaincode::Date;
using chaincode::FieldCommitment;
using chaincode::FindFlow;
using chaincode::FlowDef;
using chaincode::FormatDate;
using chaincode::LocalDate;
using chaincode::LocalMidnightMs;
using chaincode::ParseDate;
using chaincode::ParseSalt;
using chaincode::ReqSalted;
using chaincode::ReqString;
using chaincode::ResidentIdBirthDate;
using chaincode::ResidentIdSex;
using chaincode::ResidentIdTag;
using chaincode::ValidateRegionCode;
using chaincode::ValidateResidentId;

using nlohmann::json;

namespace {

constexpr uint64_t kDayMs = 86'400'000ULL;

Status Prefixed(const std::string& prefix, const Status& st) {
  if (st.ok()) return st;
  return Status(st.code(), prefix + st.message());
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "YYYY-MM-DDTHH:MM" in the genesis' local time -> ms.
Result<uint64_t> ParseLocalDateTime(const Genesis& g, const std::string& s,
                                    const std::string& field) {
  if (s.size() != 16 || s[10] != 'T' || s[13] != ':' || !AllDigits(s.substr(11, 2)) ||
      !AllDigits(s.substr(14, 2))) {
    return Status::InvalidArgument(field + ": expected YYYY-MM-DDTHH:MM, got '" + s + "'");
  }
  LIC_ASSIGN_OR_RETURN(Date d, ParseDate(s.substr(0, 10), field));
  int hh = std::stoi(s.substr(11, 2));
  int mm = std::stoi(s.substr(14, 2));
  if (hh > 23 || mm > 59)
    return Status::InvalidArgument(field + ": '" + s + "' is not a real time");
  return LocalMidnightMs(g, d) + uint64_t(hh * 60 + mm) * 60'000;
}

std::string Value(const json& values, const char* field) {
  auto it = values.find(field);
  return it != values.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status ValidateEnterpriseValues(const Genesis& g, const json& values, uint64_t now_ms) {
  Date today = LocalDate(g, now_ms);
  for (const char* f : {"legal_rep_id", "finance_officer_id"}) {
    LIC_RETURN_IF_ERROR(
        Prefixed(std::string("private.") + f + ": ", ValidateResidentId(Value(values, f), today)));
  }
  return Status::Ok();
}

Status ValidateNewbornValues(const Genesis& g, const json& values, uint64_t now_ms) {
  std::string sex = Value(values, "sex");
  if (sex != "M" && sex != "F") return Status::InvalidArgument("private.sex: expected M or F");
  std::string birth_time = Value(values, "birth_time");
  LIC_ASSIGN_OR_RETURN(uint64_t born_ms, ParseLocalDateTime(g, birth_time, "private.birth_time"));
  if (born_ms > now_ms) {
    return Status::InvalidArgument("private.birth_time: " + birth_time + " is in the future");
  }
  if (now_ms - born_ms > 366 * kDayMs) {
    return Status::InvalidArgument("private.birth_time: " + birth_time +
                                   " is more than a year ago; newborn registration does not apply");
  }
  std::string weight = Value(values, "weight_g");
  if (!AllDigits(weight) || weight.size() > 5 || std::stoi(weight) < 300 ||
      std::stoi(weight) > 8000) {
    return Status::InvalidArgument("private.weight_g: expected grams 300..8000, got '" + weight +
                                   "'");
  }
  LIC_RETURN_IF_ERROR(ValidateRegionCode(Value(values, "household_address_code"),
                                         "private.household_address_code"));
  Date born = LocalDate(g, born_ms);
  for (const char* f : {"mother_id", "father_id"}) {
    LIC_RETURN_IF_ERROR(
        Prefixed(std::string("private.") + f + ": ", ValidateResidentId(Value(values, f), born)));
  }
  return Status::Ok();
}

Bytes SodiumRandom(size_t n) {
  Bytes b(n);
  randombytes_buf(b.data(), n);
  return b;
}

// {"value","salt"} or a bare string (salt drawn from `random`).
Result<json> Salted(const json& v, const std::string& field, const RandomBytes& random) {
  if (v.is_string()) return json{{"value", v.get<std::string>()}, {"salt", ToHex(random(16))}};
  if (v.is_object()) {
    auto value = ReqString(v, "value", 1024);
    if (!value.ok()) return Status::InvalidArgument(field + "." + value.status().message());
    auto salt = v.find("salt");
    if (salt == v.end()) return json{{"value", *value}, {"salt", ToHex(random(16))}};
    LIC_RETURN_IF_ERROR(ParseSalt(*salt, field + ".salt").status());
    return json{{"value", *value}, {"salt", *salt}};
  }
  return Status::InvalidArgument(field + ": expected a string or {\"value\", \"salt\"}");
}

std::string CommitSalted(const std::string& field, const json& salted) {
  return CommitmentHex(field, salted["value"].get<std::string>(),
                       *FromHex(salted["salt"].get<std::string>()));
}

}  // namespace

uint64_t ClientNowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string CommitmentHex(std::string_view field, std::string_view value, ByteView salt) {
  return ToHex(FieldCommitment(field, value, salt));
}

Result<json> SealForOrg(const Genesis& genesis, const std::string& org, const json& plaintext) {
  const GenesisOrg* o = genesis.FindOrg(org);
  if (o == nullptr) return Status::NotFound("no organisation '" + org + "' in genesis");
  std::string text = plaintext.dump();
  Bytes ct = crypto::SealedBoxEncrypt(o->encryption_key, AsBytes(text));
  json fields = json::array();
  for (auto it = plaintext.begin(); it != plaintext.end(); ++it) fields.push_back(it.key());
  return json{{"ciphertext", ToHex(ct)}, {"sha256", ToHex(crypto::Sha256(ct))}, {"fields", fields}};
}

Result<json> OpenSealed(const crypto::BoxKeyPair& key, std::string_view ciphertext_hex) {
  LIC_ASSIGN_OR_RETURN(Bytes ct, FromHex(ciphertext_hex));
  LIC_ASSIGN_OR_RETURN(Bytes pt, crypto::SealedBoxDecrypt(key, ct));
  json j = json::parse(pt.begin(), pt.end(), nullptr, false);
  if (j.is_discarded()) return Status::Corruption("sealed box does not hold JSON");
  return j;
}

Status CheckSealedData(const json& kase, const json& plaintext) {
  if (!kase.is_object() || !kase.contains("commitments") || !kase["commitments"].is_object()) {
    return Status::InvalidArgument("case: no commitments to check the sealed data against");
  }
  if (!plaintext.is_object()) return Status::FailedPrecondition("sealed data: not a JSON object");
  const json& commitments = kase["commitments"];
  std::string guardian = "mother";
  if (kase.contains("public") && kase["public"].is_object()) {
    guardian = kase["public"].value("guardian", "mother");
  }
  for (auto it = plaintext.begin(); it != plaintext.end(); ++it) {
    std::string field = it.key();
    if (field == "guardian_name" || field == "guardian_id") {
      field = guardian + (it.key() == "guardian_name" ? "_name" : "_id");
    }
    auto salted = ReqSalted(plaintext, it.key());
    if (!salted.ok()) return Prefixed("sealed data: ", salted.status());
    auto want = commitments.find(field);
    if (want == commitments.end() || !want->is_string()) {
      return Status::FailedPrecondition("sealed data: field '" + it.key() +
                                        "' has no commitment on case " +
                                        kase.value("id", std::string("?")) + "; refusing it");
    }
    if (CommitmentHex(field, salted->value, salted->salt) != want->get<std::string>()) {
      return Status::FailedPrecondition(
          "sealed data: field '" + it.key() + "' does not match the commitment on case " +
          kase.value("id", std::string("?")) +
          "; refusing it (the sender sealed a value it did not commit to)");
    }
  }
  return Status::Ok();
}

Status ValidatePrivateValues(const Genesis& genesis, const std::string& flow, const json&,
                             const json& values, uint64_t now_ms) {
  if (flow == "enterprise") return ValidateEnterpriseValues(genesis, values, now_ms);
  if (flow == "newborn") return ValidateNewbornValues(genesis, values, now_ms);
  return Status::InvalidArgument("flow: unknown flow '" + flow + "'");
}

std::string DedupTag(const std::string& flow, const json& values) {
  std::string text = flow == "enterprise"
                         ? "licenced/dedup/enterprise/" + Value(values, "enterprise_name")
                         : "licenced/dedup/newborn/" + Value(values, "mother_id") + "|" +
                               Value(values, "birth_time") + "|" + Value(values, "child_name");
  return ToHex(crypto::Sha256(AsBytes(text)));
}

Result<PreparedCase> PrepareOpenCase(const Genesis& genesis, std::string_view application,
                                     const RandomBytes& random) {
  return PrepareOpenCase(genesis, application, random, ClientNowMs());
}

Result<PreparedCase> PrepareOpenCase(const Genesis& genesis, std::string_view application,
                                     const RandomBytes& random, uint64_t now_ms) {
  json app = json::parse(application.begin(), application.end(), nullptr, false);
  if (app.is_discarded() || !app.is_object()) {
    return Status::InvalidArgument("application: not a JSON object");
  }
  if (!app.contains("flow") || !app["flow"].is_string()) {
    return Status::InvalidArgument("application.flow: missing");
  }
  const FlowDef* flow = FindFlow(app["flow"].get<std::string>());
  if (flow == nullptr) return Status::InvalidArgument("application.flow: unknown flow");
  if (!app.contains("private") || !app["private"].is_object()) {
    return Status::InvalidArgument("application.private: missing");
  }
  // Type-check every field read below: a malformed application file is an
  // InvalidArgument, never a json::type_error escaping to the caller.
  if (app.contains("holder_key") && !app["holder_key"].is_string()) {
    return Status::InvalidArgument("application.holder_key: expected a hex string");
  }
  if (app.contains("public") && !app["public"].is_object()) {
    return Status::InvalidArgument("application.public: expected an object");
  }
  const json public_fields = app.value("public", json::object());
  if (public_fields.contains("guardian") && !public_fields["guardian"].is_string()) {
    return Status::InvalidArgument(
        "application.public.guardian: expected \"mother\" or \"father\"");
  }
  const json& values = app["private"];
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (!it->is_string()) {
      return Status::InvalidArgument("application.private." + it.key() + ": expected a string");
    }
    if (std::find(flow->private_fields.begin(), flow->private_fields.end(), it.key()) ==
        flow->private_fields.end()) {
      return Status::InvalidArgument("private." + it.key() + ": not a private field of flow '" +
                                     flow->id + "'");
    }
  }
  for (const auto& f : flow->private_fields) {
    if (!values.contains(f)) return Status::InvalidArgument("private." + f + ": missing");
  }
  LIC_RETURN_IF_ERROR(ValidatePrivateValues(genesis, flow->id, public_fields, values, now_ms));
  PreparedCase out;
  out.secrets = json::object();
  json commitments = json::object();
  for (auto it = values.begin(); it != values.end(); ++it) {
    Bytes salt = random(16);
    json v = {{"value", it->get<std::string>()}, {"salt", ToHex(salt)}};
    out.secrets[it.key()] = v;
    commitments[it.key()] = CommitmentHex(it.key(), it->get<std::string>(), salt);
  }
  out.args = {{"flow", flow->id},
              {"holder_key", app.value("holder_key", "")},
              {"public", public_fields},
              {"commitments", commitments},
              {"dedup", DedupTag(flow->id, values)},
              {"sealed", json::object()}};
  for (const auto& def : flow->sealed_at_open) {
    json plain = json::object();
    for (const auto& f : def.fields) {
      std::string src = f;
      if (f == "guardian_name" || f == "guardian_id") {
        std::string who = public_fields.value("guardian", "mother");
        src = who + (f == "guardian_name" ? "_name" : "_id");
      }
      if (!out.secrets.contains(src)) {
        return Status::InvalidArgument("application.private." + src + ": missing (needed by " +
                                       def.org + ")");
      }
      plain[f] = out.secrets[src];
    }
    LIC_ASSIGN_OR_RETURN(json box, SealForOrg(genesis, def.org, plain));
    out.args["sealed"][def.org] = box;
  }
  return out;
}

Result<PreparedStep> PrepareHouseholdRegistration(const Genesis& genesis,
                                                  const std::string& task_id,
                                                  const json& police_box,
                                                  const std::string& resident_id,
                                                  const RandomBytes& random, uint64_t now_ms) {
  std::map<std::string, std::string> v;
  for (const char* f : {"sex", "birth_time", "household_address_code"}) {
    if (!police_box.is_object() || !police_box.contains(f)) {
      return Status::InvalidArgument(std::string("police sealed box: field '") + f + "' missing");
    }
    auto s = ReqSalted(police_box, f);
    if (!s.ok()) return Prefixed("police sealed box: ", s.status());
    v[f] = s->value;
  }
  const std::string& rid = resident_id;
  LIC_RETURN_IF_ERROR(
      Prefixed("outputs.resident_id: ", ValidateResidentId(rid, LocalDate(genesis, now_ms))));
  LIC_ASSIGN_OR_RETURN(Date birth, ParseDate(v["birth_time"].substr(0, 10), "birth_time"));
  if (rid.substr(0, 6) != v["household_address_code"]) {
    return Status::InvalidArgument("outputs.resident_id: address code " + rid.substr(0, 6) +
                                   " differs from the household address code");
  }
  if (ResidentIdBirthDate(rid) != birth) {
    return Status::InvalidArgument("outputs.resident_id: birth date " +
                                   FormatDate(ResidentIdBirthDate(rid)) +
                                   " differs from the birth certificate's " + FormatDate(birth));
  }
  if (v["sex"].size() != 1 || ResidentIdSex(rid) != v["sex"][0]) {
    return Status::InvalidArgument(std::string("outputs.resident_id: sequence parity means sex ") +
                                   ResidentIdSex(rid) + ", the child's sex is " + v["sex"]);
  }
  Bytes salt = random(16);
  json salted = {{"value", rid}, {"salt", ToHex(salt)}};
  PreparedStep out;
  out.secrets = {{"resident_id", salted}};
  out.args = {{"task_id", task_id},
              {"outputs",
               {{"resident_id_commitment", CommitmentHex("resident_id", rid, salt)},
                {"resident_id_tag", ResidentIdTag(rid)}}}};
  LIC_ASSIGN_OR_RETURN(json box, SealForOrg(genesis, "social", json{{"resident_id", salted}}));
  out.args["sealed"] = {{"social", box}};
  return out;
}

Result<PreparedStep> PrepareIssueLicence(const json& clear_args) {
  return PrepareIssueLicence(clear_args, SodiumRandom, ClientNowMs());
}

Result<PreparedStep> PrepareIssueLicence(const json& clear_args, const RandomBytes& random,
                                         uint64_t now_ms) {
  if (!clear_args.is_object()) return Status::InvalidArgument("licence.issue: not a JSON object");
  PreparedStep out;
  out.args = clear_args;
  out.secrets = json::object();
  std::string code_type = clear_args.value("holder_code_type", "");
  if (code_type == "resident_id" && clear_args.contains("holder_code")) {
    LIC_ASSIGN_OR_RETURN(json s, Salted(clear_args["holder_code"], "holder_code", random));
    // Clients have no genesis here: a UTC date is close enough for "not born
    // in the future" (the check is about impossible numbers, not hours).
    Date today = CivilFromDays(static_cast<int64_t>(now_ms / kDayMs));
    LIC_RETURN_IF_ERROR(
        Prefixed("holder_code: ", ValidateResidentId(s["value"].get<std::string>(), today)));
    out.args.erase("holder_code");
    out.args["holder_code_commitment"] = CommitSalted("holder_code", s);
    out.secrets["holder_code"] = s;
  }
  if (clear_args.contains("fields")) {
    const json& fields = clear_args["fields"];
    if (!fields.is_object()) return Status::InvalidArgument("fields: expected an object");
    json commitments = json::object();
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      LIC_ASSIGN_OR_RETURN(json s, Salted(*it, "fields." + it.key(), random));
      commitments[it.key()] = CommitSalted(it.key(), s);
      out.secrets[it.key()] = s;
    }
    out.args.erase("fields");
    out.args["commitments"] = commitments;
  }
  return out;
}

}  // namespace licenced::client
