// licencectl inbox and task show|claim|complete|reject: the departments'
// commands (workflow chaincode, docs/cli.md "Departments"). `task show`
// decrypts the data sealed to the task's org with that org's encryption key;
// `task complete` of household registration assigns and validates the child's
// resident ID number on the client and sends only its commitment and the
// sealed hand-over to social.
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/core.h>
#include <sodium.h>

#include "cli/app.h"
#include "cli/render.h"
#include "client/files.h"
#include "client/prepare.h"
#include "client/session.h"

namespace licenced::cli {
using client::Json;
using client::LoadGenesisFor;
using client::ReadJsonFile;
using client::ReadPassphraseFile;
using client::RpcFailure;
using client::Session;
using client::SubmitResult;
using client::WriteTextFile;

namespace fs = std::filesystem;
namespace pb = ::licenced::v1;
namespace {

struct TaskOptions {
  std::string id;
  std::string for_org;
  bool follow = false;
  std::string file;
  std::string reason;
  std::string enc_key;
  std::string genesis;
  std::string secrets_out;
};

Bytes RandomBytes(size_t n) {
  Bytes b(n);
  randombytes_buf(b.data(), n);
  return b;
}

struct TaskId {
  std::string case_id;
  std::string step;
};

CliResult<TaskId> SplitTaskId(const std::string& task_id) {
  size_t slash = task_id.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == task_id.size()) {
    return CliError{kExitUsage, fmt::format("task id '{}' is not CASE/STEP (e.g. "
                                            "ENT-2026-000001/seal_filing; see 'licencectl inbox')",
                                            task_id)};
  }
  return TaskId{task_id.substr(0, slash), task_id.substr(slash + 1)};
}

// The org's X25519 key: --enc-key FILE, else DIR/<org>/encryption.key with --net.
CliResult<crypto::BoxKeyPair> LoadBoxKey(const GlobalOptions& g, const std::string& enc_key,
                                         const std::string& org) {
  std::string path = enc_key;
  if (path.empty()) {
    if (g.net.empty()) {
      return CliError{kExitUsage, fmt::format("to read the data sealed to {} give --enc-key FILE "
                                              "(the org's encryption.key), or --net DIR",
                                              org)};
    }
    path = (fs::path(g.net) / org / "encryption.key").string();
  }
  std::optional<std::string> passphrase;
  if (!g.passphrase_file.empty()) {
    auto p = ReadPassphraseFile(g.passphrase_file);
    if (p.ok()) passphrase = *p;
  }
  auto key = crypto::ReadKeyFile(path, passphrase);
  if (!key.ok()) {
    return CliError{kExitUsage, fmt::format("cannot use {}'s encryption key {}: {}; give --enc-key",
                                            org, path, key.status().message())};
  }
  return crypto::BoxKeyPair::FromSeed(key->seed());
}

// The sealed boxes of `case_id` addressed to `org`, with what is needed to
// open and check them.
struct SealedBoxes {
  Json boxes;  // the "sealed" query's answer
  Json kase;   // the case, with the commitments each box is checked against
  std::optional<crypto::BoxKeyPair> key;  // the org's; unset when there are no boxes
};

CliResult<SealedBoxes> FetchSealedBoxes(Session& s, const GlobalOptions& g,
                                        const std::string& enc_key, const std::string& case_id,
                                        const std::string& org) {
  SealedBoxes out;
  CLI_ASSIGN_OR_RETURN(out.boxes, s.Query("sealed", {{"case_id", case_id}, {"org", org}}));
  if (out.boxes.empty()) return out;
  CLI_ASSIGN_OR_RETURN(out.kase, s.Query("case", {{"case_id", case_id}}));
  CLI_ASSIGN_OR_RETURN(out.key, LoadBoxKey(g, enc_key, org));
  return out;
}

// One box of `sealed.boxes`, decrypted and checked: its plaintext.
CliResult<Json> OpenBox(const SealedBoxes& sealed, const Json& b, const std::string& org) {
  auto plain = client::OpenSealed(*sealed.key, b.value("ciphertext", ""));
  if (!plain.ok()) {
    return CliError{kExitRejected,
                    fmt::format("cannot open the data sealed to {} at step {}: {}; is this {}'s "
                                "encryption key?",
                                org, b.value("step", ""), plain.status().message(), org)};
  }
  Status st = client::CheckSealedData(sealed.kase, *plain);
  if (!st.ok()) {
    return CliError{kExitRejected, fmt::format("refusing the data sealed to {} at step {}: {}", org,
                                               b.value("step", ""), st.message())};
  }
  return std::move(plain).value();
}

// Decrypts every sealed box of `case_id` addressed to `org`: {step: plaintext}.
// Each box is checked against the case's commitments (client::CheckSealedData):
// the ledger holds only those, so this is where a box that does not hold what
// the sender committed to is caught, and refused.
CliResult<Json> OpenSealedData(Session& s, const GlobalOptions& g, const std::string& enc_key,
                               const std::string& case_id, const std::string& org) {
  CLI_ASSIGN_OR_RETURN(const SealedBoxes sealed, FetchSealedBoxes(s, g, enc_key, case_id, org));
  Json out = Json::object();
  for (const auto& b : sealed.boxes) {
    CLI_ASSIGN_OR_RETURN(out[b.value("step", "")], OpenBox(sealed, b, org));
  }
  return out;
}

std::string InboxOrg(const TaskOptions& o, const GlobalOptions& g, Session& s) {
  if (!o.for_org.empty()) return o.for_org;
  if (!g.org.empty()) return g.org;
  return s.SignerOrg();
}

CommandResult RunInbox(const GlobalOptions& g, const TaskOptions& o) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, !g.key.empty()));
  const std::string org = InboxOrg(o, g, *s);
  if (org.empty()) {
    return CliError{kExitUsage, "whose inbox? give --org ORG (or --for ORG)"};
  }
  CLI_ASSIGN_OR_RETURN(Json items, s->Query("inbox", {{"org", org}, {"limit", 1000}}));
  if (g.json && !o.follow) {
    std::cout << MaskIdFields(items, g.show_ids).dump(2) << "\n";
    return kExitOk;
  }
  if (!g.json) {
    if (items.empty()) {
      std::cout << fmt::format("inbox of {}: no open tasks\n", org);
    } else {
      Table t({"task", "step", "role", "status", "claimed by", "due"});
      for (const auto& i : items) {
        std::string st = i.value("status", "");
        if (i.value("overdue", false)) st += " OVERDUE";
        t.AddRow({i.value("task_id", ""), i.value("name", ""), i.value("role", ""), st,
                  i.value("claimed_by_name", ""), FormatTimeMs(i.value("due_ms", uint64_t{0}))});
      }
      std::cout << fmt::format("inbox of {}: {} open task{}\n", org, items.size(),
                               items.size() == 1 ? "" : "s")
                << t.Render();
    }
  } else {
    for (const auto& i : items) std::cout << MaskIdFields(i, g.show_ids).dump() << "\n";
  }
  if (!o.follow) return kExitOk;
  if (!g.json) std::cout << "following new tasks for " << org << " (Ctrl-C to stop)...\n";
  std::cout.flush();
  pb::EventFilter filter;
  filter.set_org(org);
  filter.set_from_height(0);
  grpc::ClientContext ctx;
  auto reader = s->stub().StreamEvents(&ctx, filter);
  pb::Event ev;
  while (reader->Read(&ev)) {
    Json payload = Json::parse(ev.payload_json(), nullptr, false);
    if (g.json) {
      std::cout << Json({{"height", ev.height()},
                         {"kind", ev.kind()},
                         {"tx_id", ev.tx_id_hex()},
                         {"time_ms", ev.timestamp_ms()},
                         {"payload", MaskIdFields(payload, g.show_ids)}})
                       .dump()
                << std::endl;
      continue;
    }
    if (payload.is_discarded()) payload = Json::object();
    if (ev.kind() == "task_ready" || ev.kind() == "task_claimed" || ev.kind() == "task_completed") {
      std::cout << fmt::format("[block {}] {:<15} {}  {}{}\n", ev.height(), ev.kind(),
                               payload.value("task_id", ""), payload.value("name", ""),
                               payload.contains("claimed_by")
                                   ? " by " + payload.value("claimed_by", "")
                                   : "")
                << std::flush;
    } else {
      std::cout << fmt::format("[block {}] {:<15} {}\n", ev.height(), ev.kind(),
                               MaskIdFields(payload, g.show_ids).dump())
                << std::flush;
    }
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return RpcFailure(s->target(), st);
  return kExitOk;
}

CommandResult RunShow(const GlobalOptions& g, const TaskOptions& o) {
  CLI_ASSIGN_OR_RETURN(const TaskId id, SplitTaskId(o.id));
  const std::string& case_id = id.case_id;
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  CLI_ASSIGN_OR_RETURN(Json t, s->Query("task", {{"task_id", o.id}}));
  const std::string org = t.value("org", "");
  // What cannot be read here is shown as such (after the boxes before it).
  Json data = Json::object();
  std::string data_error;
  if (auto sealed = FetchSealedBoxes(*s, g, o.enc_key, case_id, org); !sealed.ok()) {
    data_error = sealed.error().message;
  } else {
    for (const auto& b : sealed->boxes) {
      auto plain = OpenBox(*sealed, b, org);
      if (!plain.ok()) {
        data_error = plain.error().message;
        break;
      }
      data[b.value("step", "")] = std::move(plain).value();
    }
  }
  if (g.json) {
    Json out = t;
    out["sealed_data"] = data;
    if (!data_error.empty()) out["sealed_data_error"] = data_error;
    std::cout << MaskIdFields(out, g.show_ids).dump(2) << "\n";
    return kExitOk;
  }
  std::string status = t.value("status", "");
  if (t.value("overdue", false)) status += ", OVERDUE";
  std::cout << fmt::format(
      "task {}  {}\n  org/role    {} / {}\n  status      {}{}\n  depends on  {}\n  due         {}\n"
      "  case        {} ({})\n  public      {}\n",
      t.value("task_id", ""), t.value("name", ""), org, t.value("role", ""), status,
      t.value("claimed_by_name", "").empty() ? "" : " by " + t.value("claimed_by_name", ""),
      t.value("deps", Json::array()).dump(), FormatTimeMs(t.value("due_ms", uint64_t{0})), case_id,
      t.value("case_status", ""),
      MaskIdFields(t.value("public", Json::object()), g.show_ids).dump());
  Json case_outputs = t.value("case_outputs", Json::object());
  if (!case_outputs.empty()) {
    std::cout << "  so far      " << MaskIdFields(case_outputs, g.show_ids).dump() << "\n";
  }
  if (!data_error.empty()) {
    std::cout << "  sealed data (not readable here): " << data_error << "\n";
  }
  for (auto it = data.begin(); it != data.end(); ++it) {
    std::cout << fmt::format("  data sealed to {} (at {}):\n", org, it.key());
    for (auto f = it->begin(); f != it->end(); ++f) {
      std::string v = f->is_object() ? f->value("value", "") : f->dump();
      if (IsIdNumberField(f.key()) && !g.show_ids) v = MaskId(v);
      std::cout << fmt::format("    {:<24} {}\n", f.key(), v);
    }
  }
  return kExitOk;
}

// Household registration, on the ASSIGNING police client: the data sealed to
// police (checked against the case's commitments), the resident ID number
// (outputs.resident_id in --file, else the next free one), validated against
// the birth date, sex and address (GB 11643), then only its commitment and tag
// go on the ledger, with the number sealed on to social. The number and its
// salt are kept in a local file for the holder.
struct PreparedCompletion {
  Json args;                 // what goes on the ledger
  std::string secrets_note;  // where the number and its salt are kept
};

CliResult<PreparedCompletion> PrepareHouseholdRegistration(Session& s, const GlobalOptions& g,
                                                           const TaskOptions& o,
                                                           const std::string& case_id,
                                                           const Json& args) {
  CLI_ASSIGN_OR_RETURN(Json data, OpenSealedData(s, g, o.enc_key, case_id, "police"));
  if (!data.contains("open")) {
    return CliError{kExitRejected, "case " + case_id + " holds no data sealed to police"};
  }
  const Json& police = data["open"];
  for (const char* f : {"sex", "birth_time", "household_address_code"}) {
    if (!police.contains(f) || !police[f].is_object() || !police[f]["value"].is_string()) {
      return CliError{kExitRejected, std::string("police's sealed data lacks ") + f};
    }
  }
  Json outputs = args.value("outputs", Json::object());
  if (!outputs.is_object()) outputs = Json::object();
  Json rid = outputs.value("resident_id", Json());
  std::string value;
  if (rid.is_string()) value = rid.get<std::string>();
  if (rid.is_object() && rid.value("value", Json()).is_string()) value = rid["value"];
  if (value.empty()) {
    std::string birth = police["birth_time"]["value"].get<std::string>().substr(0, 10);
    CLI_ASSIGN_OR_RETURN(
        Json next,
        s.Query("next_resident_id", {{"address_code", police["household_address_code"]["value"]},
                                     {"birth_date", birth},
                                     {"sex", police["sex"]["value"]}}));
    value = next.value("resident_id", "");
  }
  CLI_ASSIGN_OR_RETURN(const Genesis genesis, LoadGenesisFor(g, o.genesis));
  auto prepared = client::PrepareHouseholdRegistration(genesis, o.id, police, value, RandomBytes,
                                                       client::ClientNowMs());
  if (!prepared.ok()) {
    return CliError{kExitUsage,
                    fmt::format("{}; nothing was submitted", prepared.status().message())};
  }
  std::string path = o.secrets_out.empty() ? case_id + ".resident_id.secrets.json" : o.secrets_out;
  Json secrets = {{"case_id", case_id}, {"secrets", prepared->secrets}};
  Status w = WriteTextFile(path, secrets.dump(2) + "\n", 0600);
  if (!w.ok()) return CliError{kExitUsage, "cannot write " + path + ": " + w.message()};
  // Only what the client computed goes on the ledger: never the file's
  // clear values or disclosures.
  return PreparedCompletion{prepared->args,
                            fmt::format("resident ID number {} and its salt kept in {} (mode "
                                        "0600): hand it to the holder",
                                        g.show_ids ? value : MaskId(value), path)};
}

CommandResult RunAction(const GlobalOptions& g, const TaskOptions& o, const std::string& method) {
  CLI_ASSIGN_OR_RETURN(const TaskId id, SplitTaskId(o.id));
  const std::string& case_id = id.case_id;
  Json args = {{"task_id", o.id}};
  if (method == "complete" && !o.file.empty()) {
    CLI_ASSIGN_OR_RETURN(Json file, ReadJsonFile(o.file, "outputs file"));
    bool wrapped = file.contains("outputs") || file.contains("disclose") || file.contains("sealed");
    if (wrapped) {
      for (auto it = file.begin(); it != file.end(); ++it) args[it.key()] = *it;
    } else {
      args["outputs"] = file;
    }
  }
  if (method == "reject") args["reason"] = o.reason;
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, true));
  std::string note;
  if (method == "complete" && id.step == "household_registration") {
    CLI_ASSIGN_OR_RETURN(PreparedCompletion prepared,
                         PrepareHouseholdRegistration(*s, g, o, case_id, args));
    args = std::move(prepared.args);
    note = std::move(prepared.secrets_note);
  }
  CLI_ASSIGN_OR_RETURN(SubmitResult r, s->Submit("workflow", method, args));
  CliResult<Json> queried = s->Query("case", {{"case_id", case_id}});
  const Json kase = queried.ok() ? std::move(queried).value() : Json();
  if (g.json) {
    Json out = {{"tx_id", r.tx_id}, {"height", r.height}, {"result", r.result}};
    if (kase.is_object()) out["case_status"] = kase.value("status", "");
    std::cout << MaskIdFields(out, g.show_ids).dump(2) << "\n";
    return kExitOk;
  }
  if (method == "claim") {
    std::cout << fmt::format("claimed {} (block {})\n", o.id, r.height);
  } else if (method == "reject") {
    std::cout << fmt::format("rejected {} (block {}): case {} is now rejected: {}\n", o.id,
                             r.height, case_id, o.reason);
  } else {
    std::cout << fmt::format("completed {} (block {})\n", o.id, r.height);
    Json outputs = r.result.value("outputs", Json::object());
    for (auto it = outputs.begin(); it != outputs.end(); ++it) {
      std::string v = it->is_string() ? it->get<std::string>() : it->dump();
      if (IsIdNumberField(it.key()) && !g.show_ids && it->is_string()) v = MaskId(v);
      std::cout << fmt::format("  {:<22} {}\n", it.key(), v);
    }
    if (!note.empty()) std::cout << "  " << note << "\n";
    if (kase.is_object() && kase.contains("tasks")) {
      for (const auto& t : kase["tasks"]) {
        if (t.value("status", "") == "ready" && t.value("ready_at_ms", uint64_t{0}) != 0) {
          std::cout << fmt::format("  ready: {} -> {} inbox\n", t.value("task_id", ""),
                                   t.value("org", ""));
        }
      }
      if (kase.value("status", "") == "completed") {
        std::cout << fmt::format("  case {} is completed{}\n", case_id,
                                 kase.value("late", false) ? " (late)" : " on time");
      }
    }
  }
  return kExitOk;
}

}  // namespace

void AddTaskCommands(CLI::App& app, CliContext& ctx) {
  auto io = std::make_shared<TaskOptions>();
  auto* inbox = app.add_subcommand("inbox", "departments: the open tasks of an org");
  inbox->add_option("--for", io->for_org, "whose inbox (default: --org, else the signer's org)");
  inbox->add_flag("--follow", io->follow, "keep running and print new tasks as they are committed");
  inbox->callback([&ctx, io] { ctx.run = [&ctx, io] { return RunInbox(ctx.global, *io); }; });

  auto* task = app.add_subcommand("task", "departments: show, claim, complete or reject a task");
  task->require_subcommand(1);

  auto so = std::make_shared<TaskOptions>();
  auto* show = task->add_subcommand(
      "show", "a task with the case data sealed to its org (decrypted with the org's key)");
  show->add_option("id", so->id, "task id CASE/STEP, e.g. ENT-2026-000001/seal_filing")->required();
  show->add_option("--enc-key", so->enc_key,
                   "the org's encryption key file (default with --net: DIR/ORG/encryption.key)");
  show->callback([&ctx, so] { ctx.run = [&ctx, so] { return RunShow(ctx.global, *so); }; });

  auto co = std::make_shared<TaskOptions>();
  auto* claim = task->add_subcommand("claim", "claim a ready task (signed by a clerk of its org)");
  claim->add_option("id", co->id, "task id CASE/STEP")->required();
  claim->callback(
      [&ctx, co] { ctx.run = [&ctx, co] { return RunAction(ctx.global, *co, "claim"); }; });

  auto po = std::make_shared<TaskOptions>();
  auto* complete = task->add_subcommand(
      "complete", "complete a task with its outputs (may issue licences; see examples/)");
  complete->add_option("id", po->id, "task id CASE/STEP")->required();
  complete->add_option("--file", po->file,
                       "outputs.json: {\"outputs\": {...}} (examples/<flow>-<step>.json)");
  complete->add_option("--enc-key", po->enc_key,
                       "household registration: police's encryption key (default with --net)");
  complete->add_option("--genesis", po->genesis,
                       "household registration: genesis.json (default with --net)");
  complete->add_option("--secrets-out", po->secrets_out,
                       "household registration: where to keep the resident ID's salt (default "
                       "CASE.resident_id.secrets.json)");
  complete->callback(
      [&ctx, po] { ctx.run = [&ctx, po] { return RunAction(ctx.global, *po, "complete"); }; });

  auto ro = std::make_shared<TaskOptions>();
  auto* reject = task->add_subcommand("reject", "reject a task: the whole case is rejected");
  reject->add_option("id", ro->id, "task id CASE/STEP")->required();
  reject->add_option("--reason", ro->reason, "why (shown on the case)")->required();
  reject->callback(
      [&ctx, ro] { ctx.run = [&ctx, ro] { return RunAction(ctx.global, *ro, "reject"); }; });
}

}  // namespace licenced::cli
