// workflow chaincode: cases, tasks, inboxes, deadlines, sealed hand-overs and
// the audit trail. Step-specific logic lives in workflow_steps.cc.
#include "chaincode/workflow.h"

#include <algorithm>
#include <set>

#include "chaincode/registry.h"
#include "core/crypto.h"

namespace licenced::chaincode {
namespace {

constexpr size_t kSealBytes = 48;  // crypto_box_SEALBYTES
constexpr size_t kMaxCiphertext = 32 * 1024;

std::string Pad(uint64_t v, size_t width) {
  std::string s = std::to_string(v);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

std::string CaseKey(const std::string& id) { return "case/" + id; }
std::string InboxKey(const std::string& org, const std::string& task_id) {
  return "inbox/" + org + "/" + task_id;
}

// Validates args[field] against `defs` (exactly these orgs, each with exactly
// its fields), then stores each ciphertext at "sealed/<case>/<org>/<step>".
// Returns {org: {"sha256", "fields", "step", "size"}} for the case record.
Result<json> TakeSealed(Exec& e, const json& args, const std::vector<SealedDef>& defs,
                        const std::string& case_id, const std::string& step) {
  json out = json::object();
  auto it = args.find("sealed");
  if (defs.empty()) {
    if (it != args.end() && !it->is_null() && !it->empty()) {
      return Status::InvalidArgument("sealed: step '" + step + "' hands no data on; send none");
    }
    return out;
  }
  if (it == args.end() || !it->is_object()) {
    return Status::InvalidArgument("sealed: missing (one sealed box per receiving org)");
  }
  std::set<std::string> wanted;
  for (const auto& d : defs) wanted.insert(d.org);
  for (auto s = it->begin(); s != it->end(); ++s) {
    if (wanted.count(s.key()) == 0) {
      return Status::InvalidArgument("sealed." + s.key() + ": org '" + s.key() +
                                     "' does not receive data at this step (minimal data set)");
    }
  }
  for (const auto& d : defs) {
    std::string p = "sealed." + d.org;
    auto box = it->find(d.org);
    if (box == it->end() || !box->is_object()) return Status::InvalidArgument(p + ": missing");
    if (!FindOrg(e.genesis, e.state, d.org)) {
      return Status::FailedPrecondition(p + ": org is not a member of the network");
    }
    LIC_ASSIGN_OR_RETURN(std::string ct_hex, ReqString(*box, "ciphertext", 2 * kMaxCiphertext));
    auto ct = FromHex(ct_hex);
    if (!ct.ok()) return Status::InvalidArgument(p + ".ciphertext: not hex");
    if (ct->size() <= kSealBytes) {
      return Status::InvalidArgument(p + ".ciphertext: too short for a sealed box");
    }
    LIC_ASSIGN_OR_RETURN(std::string sha, ReqString(*box, "sha256", 64));
    if (ToHex(crypto::Sha256(*ct)) != sha) {
      return Status::InvalidArgument(p + ".sha256: does not match SHA-256 of the ciphertext");
    }
    auto fields = ReqStringList(*box, "fields");
    if (!fields.ok()) return Status::InvalidArgument(p + "." + fields.status().message());
    std::vector<std::string> got = *fields;
    std::sort(got.begin(), got.end());
    std::vector<std::string> need = d.fields;
    std::sort(need.begin(), need.end());
    if (got != need) {
      std::string list;
      for (const auto& f : need) list += (list.empty() ? "" : ", ") + f;
      return Status::InvalidArgument(p + ".fields: org '" + d.org +
                                     "' must receive exactly its minimal data set [" + list + "]");
    }
    e.state.Put("sealed/" + case_id + "/" + d.org + "/" + step, std::move(ct).value());
    out[d.org] = {{"sha256", sha}, {"fields", need}, {"step", step}};
  }
  return out;
}

Result<json> LoadCase(const Exec& e, const std::string& case_id) {
  auto c = e.GetJson(CaseKey(case_id));
  if (!c) return Status::NotFound("no case " + case_id);
  return *c;
}

// Splits "<case_id>/<step>".
Status SplitTaskId(const std::string& task_id, std::string* case_id, std::string* step) {
  size_t slash = task_id.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == task_id.size()) {
    return Status::InvalidArgument("task_id: expected <case id>/<step>, got '" + task_id + "'");
  }
  *case_id = task_id.substr(0, slash);
  *step = task_id.substr(slash + 1);
  return Status::Ok();
}

struct TaskRef {
  json kase;
  const FlowDef* flow = nullptr;
  const StepDef* step = nullptr;
  std::string task_id;
};

// Loads a task for claim/complete/reject and checks the signer's org and role
// and the task's state.
Result<TaskRef> LoadTaskForAction(const Exec& e) {
  TaskRef r;
  LIC_ASSIGN_OR_RETURN(r.task_id, ReqString(e.args, "task_id", 128));
  std::string case_id, step;
  LIC_RETURN_IF_ERROR(SplitTaskId(r.task_id, &case_id, &step));
  LIC_ASSIGN_OR_RETURN(r.kase, LoadCase(e, case_id));
  r.flow = FindFlow(r.kase["flow"]);
  if (r.flow == nullptr) return Status::Internal("case has an unknown flow");
  r.step = FindStep(*r.flow, step);
  if (r.step == nullptr) return Status::NotFound("case " + case_id + " has no step '" + step + "'");
  LIC_RETURN_IF_ERROR(e.RequireOrgRole(r.step->org, r.step->role));
  if (r.kase["status"] != "open") {
    return Status::FailedPrecondition("case " + case_id + " is " +
                                      r.kase["status"].get<std::string>());
  }
  const json& t = r.kase["tasks"][step];
  std::string status = t["status"];
  if (status == "pending") {
    std::string waiting;
    for (const auto& d : r.step->deps) {
      if (r.kase["tasks"][d]["status"] != "done") waiting += (waiting.empty() ? "" : ", ") + d;
    }
    return Status::FailedPrecondition("step out of order: task " + r.task_id + " waits for " +
                                      waiting);
  }
  if (status != "ready" && status != "claimed") {
    return Status::FailedPrecondition("task " + r.task_id + " is already " + status);
  }
  if (status == "claimed" &&
      !IsSameClerk(e.state, t["claimed_by"].get<std::string>(), e.signer.key_hex)) {
    return Status::FailedPrecondition("task " + r.task_id + " is claimed by " +
                                      t["claimed_by_name"].get<std::string>());
  }
  return r;
}

std::vector<std::string> FlowOrgs(const FlowDef& flow) {
  std::vector<std::string> orgs = flow.window_orgs;
  for (const auto& s : flow.steps) orgs.push_back(s.org);
  return orgs;
}

json TaskEventPayload(const json& kase, const StepDef& step) {
  return {{"case_id", kase["id"]},   {"task_id", kase["id"].get<std::string>() + "/" + step.id},
          {"step", step.id},         {"name", step.name},
          {"org", step.org},         {"role", step.role},
          {"due_ms", kase["due_ms"]}};
}

// Marks pending tasks whose dependencies are all done as ready.
Status ReadyTasks(Exec& e, json& kase, const FlowDef& flow) {
  for (const auto& s : flow.steps) {
    json& t = kase["tasks"][s.id];
    if (t["status"] != "pending") continue;
    bool ready = std::all_of(s.deps.begin(), s.deps.end(), [&](const std::string& d) {
      return kase["tasks"][d]["status"] == "done";
    });
    if (!ready) continue;
    t["status"] = "ready";
    t["ready_at_ms"] = e.ctx.block_time_ms;
    std::string task_id = kase["id"].get<std::string>() + "/" + s.id;
    e.state.Put(InboxKey(s.org, task_id), {});
    LIC_RETURN_IF_ERROR(e.Emit("task_ready", {s.org}, TaskEventPayload(kase, s)));
  }
  return Status::Ok();
}

Status OpenCase(Exec& e) {
  LIC_ASSIGN_OR_RETURN(std::string flow_id, ReqString(e.args, "flow", 32));
  const FlowDef* flow = FindFlow(flow_id);
  if (flow == nullptr)
    return Status::InvalidArgument("flow: unknown flow '" + flow_id + "' (enterprise, newborn)");
  if (std::find(flow->window_orgs.begin(), flow->window_orgs.end(), e.signer.org) ==
      flow->window_orgs.end()) {
    return Status::PermissionDenied("org '" + e.signer.org + "' has no window for flow '" +
                                    flow_id + "'");
  }
  LIC_RETURN_IF_ERROR(e.RequireRole(kRoleWindow));
  LIC_ASSIGN_OR_RETURN(std::string holder_hex, ReqString(e.args, "holder_key", 64));
  LIC_ASSIGN_OR_RETURN(auto holder, ParsePublicKeyHex(holder_hex, "holder_key"));
  auto pub = e.args.find("public");
  if (pub == e.args.end() || !pub->is_object()) return Status::InvalidArgument("public: missing");
  if (e.args.contains("private")) {
    return Status::InvalidArgument(
        "private: personal values must not go on the ledger; send per-field commitments "
        "(client/prepare.h PrepareOpenCase validates and commits them)");
  }
  auto commit_in = e.args.find("commitments");
  if (commit_in == e.args.end() || !commit_in->is_object())
    return Status::InvalidArgument("commitments: missing (one per private field)");
  json commitments = json::object();
  std::string dedup_key;
  LIC_RETURN_IF_ERROR(ValidateApplication(e, *flow, *pub, *commit_in, &commitments, &dedup_key));
  if (auto existing = e.state.Get(dedup_key)) {
    return Status::AlreadyExists(
        "duplicate application: the same " +
        std::string(flow_id == "enterprise" ? "enterprise name" : "newborn") + " is already case " +
        ToString(*existing));
  }
  Date today = LocalDate(e.genesis, e.ctx.block_time_ms);
  uint64_t n = e.NextCounter("case/" + flow->id + "/" + std::to_string(today.year));
  std::string case_id = flow->case_prefix + "-" + std::to_string(today.year) + "-" + Pad(n, 6);
  LIC_ASSIGN_OR_RETURN(json sealed, TakeSealed(e, e.args, flow->sealed_at_open, case_id, "open"));
  uint64_t due = DueAfterWorkingDays(e.genesis, Holidays(e.genesis, e.state), e.ctx.block_time_ms,
                                     flow->due_working_days);
  json public_fields = json::object();
  for (const auto& f : flow->public_fields) public_fields[f] = (*pub)[f];
  json kase = {{"id", case_id},
               {"flow", flow->id},
               {"flow_name", flow->name},
               {"status", "open"},
               {"holder_key", ToHex(holder)},
               {"opened_by", e.signer.key_hex},
               {"opened_by_name", e.signer.name},
               {"opened_org", e.signer.org},
               {"opened_at_ms", e.ctx.block_time_ms},
               {"opened_height", e.ctx.height},
               {"opened_tx", e.TxIdHex()},
               {"due_working_days", flow->due_working_days},
               {"due_ms", due},
               {"completed_at_ms", 0},
               {"rejection", nullptr},
               {"public", public_fields},
               {"commitments", commitments},
               {"dedup_key", dedup_key},
               {"sealed", sealed},
               {"outputs", {{"licences", json::object()}}},
               {"tasks", json::object()}};
  for (const auto& s : flow->steps) {
    kase["tasks"][s.id] = {{"step", s.id},     {"name", s.name},        {"org", s.org},
                           {"role", s.role},   {"deps", s.deps},        {"status", "pending"},
                           {"claimed_by", ""}, {"claimed_by_name", ""}, {"ready_at_ms", 0},
                           {"done_at_ms", 0},  {"done_by", ""},         {"outputs", json::object()},
                           {"reason", ""}};
  }
  LIC_RETURN_IF_ERROR(ReadyTasks(e, kase, *flow));
  LIC_RETURN_IF_ERROR(e.PutJson(CaseKey(case_id), kase));
  e.state.Put(dedup_key, ToBytes(case_id));
  LIC_RETURN_IF_ERROR(
      e.Audit("case/" + case_id, "open_case", {{"flow", flow->id}, {"due_ms", due}}));
  LIC_RETURN_IF_ERROR(e.Emit("case_opened", FlowOrgs(*flow),
                             {{"case_id", case_id}, {"flow", flow->id}, {"due_ms", due}}));
  e.result = {{"case_id", case_id}, {"due_ms", due}, {"status", "open"}};
  return Status::Ok();
}

Status Claim(Exec& e) {
  LIC_ASSIGN_OR_RETURN(TaskRef r, LoadTaskForAction(e));
  json& t = r.kase["tasks"][r.step->id];
  if (t["status"] == "claimed") {
    return Status::FailedPrecondition("task " + r.task_id + " is already claimed by you");
  }
  t["status"] = "claimed";
  t["claimed_by"] = e.signer.key_hex;
  t["claimed_by_name"] = e.signer.name;
  LIC_RETURN_IF_ERROR(e.PutJson(CaseKey(r.kase["id"]), r.kase));
  LIC_RETURN_IF_ERROR(
      e.Audit("case/" + r.kase["id"].get<std::string>(), "claim", {{"task_id", r.task_id}}));
  json p = TaskEventPayload(r.kase, *r.step);
  p["claimed_by"] = e.signer.name;
  LIC_RETURN_IF_ERROR(e.Emit("task_claimed", {r.step->org}, p));
  e.result = {{"task_id", r.task_id}, {"status", "claimed"}};
  return Status::Ok();
}

Status Complete(Exec& e) {
  LIC_ASSIGN_OR_RETURN(TaskRef r, LoadTaskForAction(e));
  if (e.args.contains("disclose")) {
    return Status::InvalidArgument(
        "disclose: personal values must not go on the ledger; the receiving department's "
        "client checks the sealed data against the case's commitments instead");
  }
  std::string case_id = r.kase["id"];
  json extra = json::object();
  LIC_ASSIGN_OR_RETURN(json outputs, RunStep(e, r.kase, *r.step, &extra));
  LIC_ASSIGN_OR_RETURN(json sealed, TakeSealed(e, e.args, SealedAtStep(r.flow->id, r.step->id),
                                               case_id, r.step->id));
  for (auto it = sealed.begin(); it != sealed.end(); ++it) {
    r.kase["sealed"][it.key() + "@" + r.step->id] = it.value();
  }
  json& t = r.kase["tasks"][r.step->id];
  t["status"] = "done";
  if (t["claimed_by"] == "") {
    t["claimed_by"] = e.signer.key_hex;
    t["claimed_by_name"] = e.signer.name;
  }
  t["done_at_ms"] = e.ctx.block_time_ms;
  t["done_by"] = e.signer.key_hex;
  t["outputs"] = outputs;
  e.state.Delete(InboxKey(r.step->org, r.task_id));
  LIC_RETURN_IF_ERROR(ReadyTasks(e, r.kase, *r.flow));
  bool all_done = std::all_of(r.flow->steps.begin(), r.flow->steps.end(), [&](const StepDef& s) {
    return r.kase["tasks"][s.id]["status"] == "done";
  });
  LIC_RETURN_IF_ERROR(
      e.Audit("case/" + case_id, "complete", {{"task_id", r.task_id}, {"outputs", outputs}}));
  json p = TaskEventPayload(r.kase, *r.step);
  p["outputs"] = outputs;
  std::vector<std::string> audience = r.flow->window_orgs;
  audience.push_back(r.step->org);
  LIC_RETURN_IF_ERROR(e.Emit("task_completed", audience, p));
  if (all_done) {
    r.kase["status"] = "completed";
    r.kase["completed_at_ms"] = e.ctx.block_time_ms;
    LIC_RETURN_IF_ERROR(e.Audit("case/" + case_id, "case_completed", json::object()));
    LIC_RETURN_IF_ERROR(e.Emit(
        "case_completed", FlowOrgs(*r.flow),
        {{"case_id", case_id}, {"late", e.ctx.block_time_ms > r.kase["due_ms"].get<uint64_t>()}}));
  }
  LIC_RETURN_IF_ERROR(e.PutJson(CaseKey(case_id), r.kase));
  e.result = {{"task_id", r.task_id},
              {"status", "done"},
              {"outputs", outputs},
              {"case_status", r.kase["status"]}};
  for (auto it = extra.begin(); it != extra.end(); ++it) e.result[it.key()] = it.value();
  return Status::Ok();
}

Status Reject(Exec& e) {
  LIC_ASSIGN_OR_RETURN(TaskRef r, LoadTaskForAction(e));
  LIC_ASSIGN_OR_RETURN(std::string reason, ReqString(e.args, "reason", 1024));
  std::string case_id = r.kase["id"];
  for (const auto& s : r.flow->steps) {
    json& t = r.kase["tasks"][s.id];
    std::string st = t["status"];
    if (s.id == r.step->id) {
      t["status"] = "rejected";
      t["reason"] = reason;
      t["done_at_ms"] = e.ctx.block_time_ms;
      t["done_by"] = e.signer.key_hex;
    } else if (st != "done") {
      t["status"] = "cancelled";
    }
    if (st == "ready" || st == "claimed") e.state.Delete(InboxKey(s.org, case_id + "/" + s.id));
  }
  r.kase["status"] = "rejected";
  r.kase["rejection"] = {{"task_id", r.task_id},         {"step", r.step->id},
                         {"org", e.signer.org},          {"by", e.signer.key_hex},
                         {"by_name", e.signer.name},     {"reason", reason},
                         {"at_ms", e.ctx.block_time_ms}, {"height", e.ctx.height}};
  LIC_RETURN_IF_ERROR(e.PutJson(CaseKey(case_id), r.kase));
  // A corrected application may be submitted again.
  e.state.Delete(r.kase["dedup_key"].get<std::string>());
  LIC_RETURN_IF_ERROR(
      e.Audit("case/" + case_id, "reject", {{"task_id", r.task_id}, {"reason", reason}}));
  LIC_RETURN_IF_ERROR(e.Emit("case_rejected", FlowOrgs(*r.flow),
                             {{"case_id", case_id}, {"task_id", r.task_id}, {"reason", reason}}));
  e.result = {{"task_id", r.task_id},
              {"status", "rejected"},
              {"case_status", "rejected"},
              {"reason", reason}};
  return Status::Ok();
}

}  // namespace

Status ExecWorkflow(Exec& e) {
  const std::string& m = e.tx.method;
  if (m == "open_case") return OpenCase(e);
  if (m == "claim") return Claim(e);
  if (m == "complete") return Complete(e);
  if (m == "reject") return Reject(e);
  return Status::InvalidArgument("workflow: unknown method '" + m +
                                 "' (open_case, claim, complete, reject)");
}

}  // namespace licenced::chaincode
