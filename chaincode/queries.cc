// Read-only queries used by licencectl and the node's inbox stream.
#include <algorithm>

#include "chaincode/exec.h"
#include "chaincode/flows.h"
#include "chaincode/governance.h"
#include "chaincode/registry.h"
#include "chaincode/status_lists.h"
#include "chaincode/workflow.h"

namespace licenced::chaincode {
namespace {

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;

std::optional<json> Load(const StateView& s, const std::string& key) {
  auto v = s.Get(key);
  if (!v) return std::nullopt;
  json j = json::parse(v->begin(), v->end(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

Result<size_t> Limit(const json& args) {
  if (!args.contains("limit")) return kDefaultLimit;
  LIC_ASSIGN_OR_RETURN(int64_t l, ReqInt(args, "limit", 1, kMaxLimit));
  return static_cast<size_t>(l);
}

bool Open(const std::string& task_status) {
  return task_status == "pending" || task_status == "ready" || task_status == "claimed";
}

// Adds task ids, due and overdue flags computed at `now`.
json CaseView(const json& stored, uint64_t now) {
  json c = stored;
  c.erase("dedup_key");
  uint64_t due = c["due_ms"];
  bool open = c["status"] == "open";
  c["overdue"] = open && now > due;
  c["late"] = c["status"] == "completed" && c["completed_at_ms"].get<uint64_t>() > due;
  json tasks = json::array();
  const FlowDef* flow = FindFlow(c["flow"]);
  if (flow != nullptr) {
    for (const auto& s : flow->steps) {
      json t = c["tasks"][s.id];
      t["task_id"] = c["id"].get<std::string>() + "/" + s.id;
      t["case_id"] = c["id"];
      t["due_ms"] = due;
      t["overdue"] = open && Open(t["status"]) && now > due;
      tasks.push_back(t);
    }
  }
  c["tasks"] = tasks;
  return c;
}

Result<json> CaseById(const StateView& s, const std::string& id, uint64_t now) {
  auto c = Load(s, "case/" + id);
  if (!c) return Status::NotFound("no case " + id);
  return CaseView(*c, now);
}

json LicenceView(const json& record, const LicenceStatusValue& st, const Bytes& raw_status,
                 uint64_t now) {
  std::string id = record["identifier"];
  return {{"record", record},
          {"status", LicenceStatusName(st.EffectiveAt(now))},
          {"stored_status", LicenceStatusName(st.status)},
          {"valid_from_ms", st.valid_from_ms},
          {"valid_until_ms", st.valid_until_ms},
          {"updated_height", st.updated_height},
          {"updated_time_ms", st.updated_time_ms},
          {"replaced_by", st.replaced_by},
          {"reason", st.reason},
          {"state_key", LicenceStatusKey(id)},
          {"status_value_hex", ToHex(raw_status)},
          {"record_key", LicenceRecordKey(id)}};
}

Result<json> LicenceById(const StateView& s, const std::string& id, uint64_t now) {
  auto rec = Load(s, LicenceRecordKey(id));
  auto raw = s.Get(LicenceStatusKey(id));
  if (!rec || !raw) return Status::NotFound("no licence with identifier " + id);
  LIC_ASSIGN_OR_RETURN(LicenceStatusValue st, LicenceStatusValue::Decode(*raw));
  return LicenceView(*rec, st, *raw, now);
}

json FlowsJson() {
  json out = json::array();
  for (const auto& f : Flows()) {
    json steps = json::array();
    for (const auto& s : f.steps) {
      steps.push_back(
          {{"id", s.id}, {"name", s.name}, {"org", s.org}, {"role", s.role}, {"deps", s.deps}});
    }
    json sealed = json::object();
    for (const auto& d : f.sealed_at_open) sealed[d.org] = d.fields;
    out.push_back({{"id", f.id},
                   {"name", f.name},
                   {"window_orgs", f.window_orgs},
                   {"due_working_days", f.due_working_days},
                   {"steps", steps},
                   {"public_fields", f.public_fields},
                   {"private_fields", f.private_fields},
                   {"sealed_at_open", sealed}});
  }
  return out;
}

}  // namespace

Result<std::string> RunQuery(const Genesis& g, std::string_view method, std::string_view args_text,
                             const StateView& s, uint64_t now) {
  std::string_view text = args_text.empty() ? std::string_view("{}") : args_text;
  LIC_ASSIGN_OR_RETURN(json args, ParseArgs(text));
  std::string m(method);
  json out;
  if (IsGovernanceQuery(m)) {
    LIC_ASSIGN_OR_RETURN(json answer, GovernanceQuery(g, m, args, s));
    return answer.dump();
  }
  if (m == "case") {
    LIC_ASSIGN_OR_RETURN(std::string id, ReqString(args, "case_id", 64));
    LIC_ASSIGN_OR_RETURN(out, CaseById(s, id, now));
  } else if (m == "cases") {
    LIC_ASSIGN_OR_RETURN(size_t limit, Limit(args));
    LIC_ASSIGN_OR_RETURN(auto flow, OptString(args, "flow", 32));
    LIC_ASSIGN_OR_RETURN(auto status, OptString(args, "status", 32));
    bool overdue_only = args.value("overdue", false);
    out = json::array();
    for (const auto& [k, v] : s.Scan("case/", SIZE_MAX)) {
      if (out.size() >= limit) break;
      json c = json::parse(v.begin(), v.end(), nullptr, false);
      if (c.is_discarded()) continue;
      json view = CaseView(c, now);
      if (flow && view["flow"] != *flow) continue;
      if (status && view["status"] != *status) continue;
      if (overdue_only && !view["overdue"].get<bool>()) continue;
      view.erase("tasks");
      view.erase("commitments");
      view.erase("sealed");
      out.push_back(view);
    }
  } else if (m == "task") {
    LIC_ASSIGN_OR_RETURN(std::string id, ReqString(args, "task_id", 128));
    size_t slash = id.rfind('/');
    if (slash == std::string::npos)
      return Status::InvalidArgument("task_id: expected <case id>/<step>");
    LIC_ASSIGN_OR_RETURN(json c, CaseById(s, id.substr(0, slash), now));
    for (const auto& t : c["tasks"]) {
      if (t["task_id"] == id) out = t;
    }
    if (out.is_null()) return Status::NotFound("no task " + id);
    out["case_status"] = c["status"];
    out["flow"] = c["flow"];
    out["public"] = c["public"];
    out["case_outputs"] = c["outputs"];
  } else if (m == "inbox") {
    LIC_ASSIGN_OR_RETURN(std::string org, ReqString(args, "org", 32));
    if (!FindOrg(g, s, org)) return Status::NotFound("no organisation '" + org + "'");
    LIC_ASSIGN_OR_RETURN(size_t limit, Limit(args));
    out = json::array();
    for (const auto& [k, v] : s.Scan("inbox/" + org + "/", limit)) {
      std::string task_id = k.substr(("inbox/" + org + "/").size());
      size_t slash = task_id.rfind('/');
      auto c = CaseById(s, task_id.substr(0, slash), now);
      if (!c.ok()) continue;
      for (const auto& t : (*c)["tasks"]) {
        if (t["task_id"] != task_id) continue;
        json item = t;
        item["flow"] = (*c)["flow"];
        item["public"] = (*c)["public"];
        out.push_back(item);
      }
    }
  } else if (m == "status_list_members") {
    // {"issuer_org", "from"? (position, default 0), "limit"?} -> {"issuer_org",
    // "total", "members": [{"identifier", "issued_height", "position"}]}
    LIC_ASSIGN_OR_RETURN(std::string org, ReqString(args, "issuer_org", 32));
    if (!FindOrg(g, s, org)) return Status::NotFound("no organisation '" + org + "'");
    LIC_ASSIGN_OR_RETURN(size_t limit, Limit(args));
    int64_t from = 0;
    if (args.contains("from")) {
      LIC_ASSIGN_OR_RETURN(from, ReqInt(args, "from", 0, int64_t{1} << 53));
    }
    LIC_ASSIGN_OR_RETURN(auto members, StatusListMembers(s, org));
    out = {{"issuer_org", org}, {"total", members.size()}, {"members", json::array()}};
    for (size_t i = static_cast<size_t>(from); i < members.size() && out["members"].size() < limit;
         ++i) {
      out["members"].push_back({{"identifier", members[i].identifier},
                                {"issued_height", members[i].issued_height},
                                {"position", members[i].position}});
    }
  } else if (m == "published_status_list") {
    // {"issuer_org", "purpose", "list"? (default 0)} -> {"issuer_org", "purpose",
    // "list", "status_height", "credential"}: the newest list the org published.
    LIC_ASSIGN_OR_RETURN(std::string org, ReqString(args, "issuer_org", 32));
    if (!FindOrg(g, s, org)) return Status::NotFound("no organisation '" + org + "'");
    LIC_ASSIGN_OR_RETURN(std::string purpose, ReqString(args, "purpose", 16));
    if (purpose != "revocation" && purpose != "suspension") {
      return Status::InvalidArgument("purpose: revocation or suspension");
    }
    int64_t list = 0;
    if (args.contains("list")) {
      LIC_ASSIGN_OR_RETURN(list, ReqInt(args, "list", 0, 999'999'999));
    }
    auto published = Load(s, PublishedStatusListKey(org, purpose, static_cast<uint64_t>(list)));
    if (!published) {
      return Status::NotFound("org '" + org + "' has published no " + purpose + " list " +
                              std::to_string(list));
    }
    LIC_ASSIGN_OR_RETURN(const PublishedListName n, ParsePublishedListName(g, *published));
    out = {{"issuer_org", org},
           {"purpose", purpose},
           {"list", list},
           {"status_height", n.status_height},
           {"credential", *published}};
  } else if (m == "status_list_position") {
    // {"identifier"} -> {"identifier", "issuer_org", "position", "list", "index"}
    LIC_ASSIGN_OR_RETURN(std::string id, ReqString(args, "identifier", 200));
    LIC_RETURN_IF_ERROR(ParseLicenceIdentifier(id).status());
    auto rec = Load(s, LicenceRecordKey(id));
    if (!rec || !(*rec)["issuer_org"].is_string()) {
      return Status::NotFound("no licence with identifier " + id);
    }
    const std::string org = (*rec)["issuer_org"];
    LIC_ASSIGN_OR_RETURN(auto members, StatusListMembers(s, org));
    for (const auto& mem : members) {
      if (mem.identifier != id) continue;
      out = {{"identifier", id},
             {"issuer_org", org},
             {"position", mem.position},
             {"list", mem.position / kStatusListLength},
             {"index", mem.position % kStatusListLength}};
    }
    if (out.is_null()) return Status::Corruption("licence " + id + " is not listed by its issuer");
  } else if (m == "licence" || m == "licence_status") {
    LIC_ASSIGN_OR_RETURN(std::string id, ReqString(args, "identifier", 200));
    LIC_RETURN_IF_ERROR(ParseLicenceIdentifier(id).status());
    LIC_ASSIGN_OR_RETURN(out, LicenceById(s, id, now));
    if (m == "licence_status") {
      out.erase("record");
      out["identifier"] = id;
    }
  } else if (m == "licences") {
    LIC_ASSIGN_OR_RETURN(size_t limit, Limit(args));
    LIC_ASSIGN_OR_RETURN(auto holder, OptString(args, "holder_key", 64));
    LIC_ASSIGN_OR_RETURN(auto issuer, OptString(args, "issuer_org", 32));
    LIC_ASSIGN_OR_RETURN(auto type, OptString(args, "type", 21));
    LIC_ASSIGN_OR_RETURN(auto status, OptString(args, "status", 16));
    if (holder) {
      LIC_ASSIGN_OR_RETURN(auto key, ParsePublicKeyHex(*holder, "holder_key"));
      holder = ToHex(key);  // state keys use lower-case hex
    }
    std::string prefix = holder   ? "licence/by-holder/" + *holder + "/"
                         : issuer ? "licence/by-issuer/" + *issuer + "/"
                                  : "licence/record/";
    out = json::array();
    for (const auto& [k, v] : s.Scan(prefix, SIZE_MAX)) {
      if (out.size() >= limit) break;
      std::string id = k.substr(prefix.size());
      auto l = LicenceById(s, id, now);
      if (!l.ok()) continue;
      if (type && (*l)["record"]["type_code"] != *type) continue;
      if (issuer && (*l)["record"]["issuer_org"] != *issuer) continue;
      if (status && (*l)["status"] != *status) continue;
      out.push_back(*l);
    }
  } else if (m == "clerk") {
    LIC_ASSIGN_OR_RETURN(std::string hex, ReqString(args, "public_key", 64));
    LIC_ASSIGN_OR_RETURN(auto key, ParsePublicKeyHex(hex, "public_key"));
    auto c = Load(s, "clerk/" + ToHex(key));
    if (!c) return Status::NotFound("no clerk with public key " + ToHex(key));
    out = *c;
  } else if (m == "clerks") {
    LIC_ASSIGN_OR_RETURN(auto org, OptString(args, "org", 32));
    LIC_ASSIGN_OR_RETURN(size_t limit, Limit(args));
    out = json::array();
    for (const auto& [k, v] : s.Scan("clerk/", SIZE_MAX)) {
      if (out.size() >= limit) break;
      json c = json::parse(v.begin(), v.end(), nullptr, false);
      if (c.is_discarded() || (org && c["org"] != *org)) continue;
      out.push_back(c);
    }
  } else if (m == "audit") {
    LIC_ASSIGN_OR_RETURN(std::string subject, ReqString(args, "subject", 256));
    LIC_ASSIGN_OR_RETURN(size_t limit, Limit(args));
    out = json::array();
    for (const auto& [k, v] : s.Scan("audit/" + subject + "/", limit)) {
      out.push_back(json::parse(v.begin(), v.end(), nullptr, false));
    }
  } else if (m == "sealed") {
    LIC_ASSIGN_OR_RETURN(std::string case_id, ReqString(args, "case_id", 64));
    LIC_ASSIGN_OR_RETURN(std::string org, ReqString(args, "org", 32));
    LIC_ASSIGN_OR_RETURN(json c, CaseById(s, case_id, now));
    out = json::array();
    std::string prefix = "sealed/" + case_id + "/" + org + "/";
    for (const auto& [k, v] : s.Scan(prefix, 64)) {
      std::string step = k.substr(prefix.size());
      std::string meta_key = step == "open" ? org : org + "@" + step;
      json item = {{"org", org}, {"step", step}, {"ciphertext", ToHex(v)}};
      if (c["sealed"].contains(meta_key)) {
        item["sha256"] = c["sealed"][meta_key]["sha256"];
        item["fields"] = c["sealed"][meta_key]["fields"];
      }
      out.push_back(item);
    }
  } else if (m == "next_resident_id") {
    LIC_ASSIGN_OR_RETURN(std::string address, ReqString(args, "address_code", 6));
    LIC_ASSIGN_OR_RETURN(std::string date, ReqString(args, "birth_date", 10));
    LIC_ASSIGN_OR_RETURN(std::string sex, ReqString(args, "sex", 1));
    LIC_ASSIGN_OR_RETURN(Date d, ParseDate(date, "birth_date"));
    if (sex != "M" && sex != "F") return Status::InvalidArgument("sex: expected M or F");
    LIC_ASSIGN_OR_RETURN(std::string rid, NextFreeResidentId(s, address, d, sex[0]));
    out = {{"resident_id", rid}};
  } else if (m == "flows") {
    out = FlowsJson();
  } else {
    return Status::InvalidArgument(
        "unknown query '" + m +
        "' (case, cases, task, inbox, licence, licences, licence_status, clerk, clerks, audit, "
        "sealed, flows, next_resident_id, status_list_members, status_list_position, "
        "published_status_list, proposal, proposals, governance, validators)");
  }
  return out.dump();
}

}  // namespace licenced::chaincode
