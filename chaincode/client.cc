#include "chaincode/client.h"

#include "chaincode/flows.h"

namespace licenced::chaincode {

using nlohmann::json;

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

Result<json> PrepareHouseholdRegistration(const Genesis& genesis, const std::string& task_id,
                                          const json& police_box, const std::string& resident_id,
                                          const RandomBytes& random) {
  json args = {{"task_id", task_id}, {"disclose", json::object()}};
  for (const char* f : {"sex", "birth_time", "household_address_code"}) {
    if (!police_box.is_object() || !police_box.contains(f)) {
      return Status::InvalidArgument(std::string("police sealed box: field '") + f + "' missing");
    }
    args["disclose"][f] = police_box[f];
  }
  json rid = {{"value", resident_id}, {"salt", ToHex(random(16))}};
  args["outputs"] = {{"resident_id", rid}};
  LIC_ASSIGN_OR_RETURN(json box, SealForOrg(genesis, "social", json{{"resident_id", rid}}));
  args["sealed"] = {{"social", box}};
  return args;
}

Result<PreparedCase> PrepareOpenCase(const Genesis& genesis, std::string_view application,
                                     const RandomBytes& random) {
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
  PreparedCase out;
  out.secrets = json::object();
  json priv = json::object();
  for (auto it = app["private"].begin(); it != app["private"].end(); ++it) {
    if (!it->is_string()) {
      return Status::InvalidArgument("application.private." + it.key() + ": expected a string");
    }
    Bytes salt = random(16);
    json v = {{"value", it->get<std::string>()}, {"salt", ToHex(salt)}};
    priv[it.key()] = v;
    out.secrets[it.key()] = v;
  }
  out.args = {{"flow", flow->id},
              {"holder_key", app.value("holder_key", "")},
              {"public", public_fields},
              {"private", priv},
              {"sealed", json::object()}};
  for (const auto& def : flow->sealed_at_open) {
    json plain = json::object();
    for (const auto& f : def.fields) {
      std::string src = f;
      if (f == "guardian_name" || f == "guardian_id") {
        std::string who = public_fields.value("guardian", "mother");
        src = who + (f == "guardian_name" ? "_name" : "_id");
      }
      if (!priv.contains(src)) {
        return Status::InvalidArgument("application.private." + src + ": missing (needed by " +
                                       def.org + ")");
      }
      plain[f] = priv[src];
    }
    LIC_ASSIGN_OR_RETURN(json box, SealForOrg(genesis, def.org, plain));
    out.args["sealed"][def.org] = box;
  }
  return out;
}

}  // namespace licenced::chaincode
