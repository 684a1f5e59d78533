// licencectl case open|show|list: the window clerk's commands (workflow
// chaincode, docs/cli.md "Window"). `case open` turns a clear-text
// application into salted commitments and sealed boxes on the client
// (client/prepare.h) and keeps the per-field salts in a local secrets file.
#include <cstdio>
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
using client::MaskHex;
using client::ParsePublicKeyArg;
using client::ReadJsonFile;
using client::ReadTextFile;
using client::Session;
using client::SubmitResult;
using client::WriteTextFile;

namespace fs = std::filesystem;
namespace {

struct CaseOptions {
  std::string flow;
  std::string file;
  std::string genesis;
  std::string secrets_out;
  std::string holder_key;
  std::string id;
  bool overdue = false;
  bool audit = false;
  std::string flow_filter;
  std::string status_filter;
};

// Default secrets file: next to the application, APP.secrets.json.
std::string DefaultSecretsPath(const std::string& application) {
  fs::path p(application);
  std::string stem = p.extension() == ".json" ? p.stem().string() : p.filename().string();
  return (p.parent_path() / (stem + ".secrets.json")).string();
}

std::string TaskLine(const Json& t) { return t.value("status", ""); }

CommandResult RunOpen(const GlobalOptions& g, const CaseOptions& o) {
  CLI_ASSIGN_OR_RETURN(Json app, ReadJsonFile(o.file, "application"));
  if (!app.contains("flow")) app["flow"] = o.flow;
  if (app["flow"] != o.flow) {
    const std::string flow = app["flow"].is_string() ? app["flow"].get<std::string>() : "?";
    return CliError{kExitUsage, fmt::format("{} is a '{}' application, not '{}'; run 'licencectl "
                                            "case open {} --file {}' or fix its \"flow\"",
                                            o.file, flow, o.flow, flow, o.file)};
  }
  if (!o.holder_key.empty()) {
    CLI_ASSIGN_OR_RETURN(const std::string hex, ParsePublicKeyArg(o.holder_key, "--holder-key"));
    app["holder_key"] = hex;
  }
  if (!app.contains("holder_key") || !app["holder_key"].is_string() ||
      app["holder_key"].get<std::string>().empty()) {
    return CliError{kExitRejected,
                    fmt::format("{} has no holder_key: give --holder-key FILE.pub (the applicant's "
                                "key from 'licencectl keygen') or set \"holder_key\"",
                                o.file)};
  }
  CLI_ASSIGN_OR_RETURN(const Genesis genesis, LoadGenesisFor(g, o.genesis));
  auto prepared = client::PrepareOpenCase(genesis, app.dump(), [](size_t n) {
    Bytes b(n);
    randombytes_buf(b.data(), n);
    return b;
  });
  if (!prepared.ok()) {
    // Private values are validated here, before signing: the ledger only ever
    // sees their commitments, so the chaincode cannot check them.
    return CliError{kExitUsage, fmt::format("{}: {}; fix the application (see examples/{}-"
                                            "application.json); nothing was submitted",
                                            o.file, prepared.status().message(), o.flow)};
  }
  // Keep the salts before submitting: without them the holder can never
  // disclose a field, so they must not be lost if the submission fails.
  const std::string secrets_path =
      o.secrets_out.empty() ? DefaultSecretsPath(o.file) : o.secrets_out;
  // Never overwrite one: it may hold the only copy of the salts of a case that is on the ledger
  // (also after a submission that failed or timed out on this side but committed).
  if (std::error_code ec; std::filesystem::exists(secrets_path, ec)) {
    std::string held = "an earlier 'case open'";
    auto old = ReadTextFile(secrets_path);
    if (old.ok()) {
      Json prev = Json::parse(*old, nullptr, false);
      if (prev.is_object() && prev.contains("case_id") && prev["case_id"].is_string())
        held = "case " + prev["case_id"].get<std::string>();
    }
    return CliError{kExitUsage,
                    fmt::format("the secrets file {} already exists (the salts of {}; without "
                                "them its fields can never be disclosed); keep it, and give "
                                "--secrets-out NEW.json to open another case; nothing was "
                                "submitted",
                                secrets_path, held)};
  }
  Json secrets = {{"flow", o.flow},     {"application", o.file}, {"holder_key", app["holder_key"]},
                  {"case_id", nullptr}, {"tx_id", nullptr},      {"secrets", prepared->secrets}};
  Status w = WriteTextFile(secrets_path, secrets.dump(2) + "\n", 0600);
  if (!w.ok()) {
    return CliError{kExitUsage, fmt::format("cannot write the secrets file {}: {}; choose "
                                            "another --secrets-out",
                                            secrets_path, w.message())};
  }
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, true));
  CliResult<SubmitResult> submitted = s->Submit("workflow", "open_case", prepared->args);
  if (!submitted.ok()) {
    CliError e = std::move(submitted).error();
    if (e.exit_code == kExitRejected) {
      // Refused for certain (by the node or committed as rejected): no case holds these salts.
      std::error_code ec;
      std::filesystem::remove(secrets_path, ec);
      return e;
    }
    // The outcome is unknown (the node may yet commit it): keep the salts, and
    // say where on the line after the error.
    e.message += "\nlicencectl: the salts of this application are in " + secrets_path;
    return e;
  }
  SubmitResult& r = *submitted;
  const std::string case_id = r.result.value("case_id", "");
  secrets["case_id"] = case_id;
  secrets["tx_id"] = r.tx_id;
  secrets["height"] = r.height;
  (void)WriteTextFile(secrets_path, secrets.dump(2) + "\n", 0600);
  CliResult<Json> queried = s->Query("case", {{"case_id", case_id}});
  const Json kase = queried.ok() ? std::move(queried).value() : Json();
  if (g.json) {
    std::cout << Json({{"case_id", case_id},
                       {"tx_id", r.tx_id},
                       {"height", r.height},
                       {"due_ms", r.result.value("due_ms", uint64_t{0})},
                       {"secrets_file", secrets_path},
                       {"case", kase}})
                     .dump(2)
              << "\n";
    return kExitOk;
  }
  std::cout << fmt::format(
      "opened case {} ({}) in block {}, due {}\n", case_id, o.flow, r.height,
      FormatTimeMs(r.result.value("due_ms", uint64_t{0}), genesis.utc_offset_minutes));
  if (kase.is_object() && kase.contains("tasks")) {
    for (const auto& t : kase["tasks"]) {
      if (t.value("status", "") == "ready") {
        std::cout << fmt::format("  ready: {} -> {} inbox\n", t.value("task_id", ""),
                                 t.value("org", ""));
      }
    }
  }
  std::cout << fmt::format(
      "per-field salts kept in {} (mode 0600): hand it to the holder; it is needed to disclose "
      "fields later\n",
      secrets_path);
  return kExitOk;
}

void PrintCase(const Json& c, bool show_ids) {
  std::cout << fmt::format("case {}  {} ({})\n", c.value("id", ""), c.value("flow_name", ""),
                           c.value("flow", ""));
  std::string status = c.value("status", "");
  if (c.value("overdue", false)) status += ", OVERDUE";
  if (c.value("late", false)) status += ", completed late";
  std::cout << fmt::format("  status      {}\n", status);
  std::cout << fmt::format("  opened      {} by {} ({}), block {}\n",
                           FormatTimeMs(c.value("opened_at_ms", uint64_t{0})),
                           c.value("opened_by_name", ""), c.value("opened_org", ""),
                           c.value("opened_height", uint64_t{0}));
  std::cout << fmt::format(
      "  due         {} ({} working day{})\n", FormatTimeMs(c.value("due_ms", uint64_t{0})),
      c.value("due_working_days", 0), c.value("due_working_days", 0) == 1 ? "" : "s");
  if (c.value("completed_at_ms", uint64_t{0}) != 0) {
    std::cout << fmt::format("  completed   {}\n",
                             FormatTimeMs(c["completed_at_ms"].get<uint64_t>()));
  }
  std::cout << fmt::format("  holder key  {}\n", MaskHex(c.value("holder_key", "")));
  if (c.contains("rejection") && c["rejection"].is_object()) {
    const Json& r = c["rejection"];
    std::cout << fmt::format("  REJECTED    at {} by {} ({}): {}\n", r.value("step", ""),
                             r.value("by_name", ""), r.value("org", ""), r.value("reason", ""));
  }
  std::cout << "  public      " << MaskIdFields(c.value("public", Json::object()), show_ids).dump()
            << "\n";
  Table t({"task", "org", "role", "status", "by", "done"});
  for (const auto& task : c.value("tasks", Json::array())) {
    std::string st = TaskLine(task);
    if (task.value("overdue", false)) st += " OVERDUE";
    if (!task.value("reason", "").empty()) st += ": " + task.value("reason", "");
    t.AddRow({task.value("task_id", ""), task.value("org", ""), task.value("role", ""), st,
              task.value("claimed_by_name", ""),
              task.value("done_at_ms", uint64_t{0})
                  ? FormatTimeMs(task["done_at_ms"].get<uint64_t>())
                  : ""});
  }
  std::cout << "\n" << t.Render();
  const Json outputs = c.value("outputs", Json::object());
  if (!outputs.empty()) {
    std::cout << "\noutputs\n";
    for (auto it = outputs.begin(); it != outputs.end(); ++it) {
      std::cout << fmt::format("  {:<14} {}\n", it.key(), MaskIdFields(*it, show_ids).dump());
    }
  }
}

CommandResult RunShow(const GlobalOptions& g, const CaseOptions& o) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  CLI_ASSIGN_OR_RETURN(Json c, s->Query("case", {{"case_id", o.id}}));
  Json audit;
  if (o.audit) {
    CLI_ASSIGN_OR_RETURN(audit, s->Query("audit", {{"subject", "case/" + o.id}, {"limit", 1000}}));
  }
  if (g.json) {
    Json out = MaskIdFields(c, g.show_ids);
    if (o.audit) out["audit"] = audit;
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  PrintCase(c, g.show_ids);
  if (o.audit) {
    Table t({"block", "time", "who", "org", "action", "detail"});
    for (const auto& a : audit) {
      Json detail = a.value("detail", Json::object());
      detail.erase("outputs");
      t.AddRow({std::to_string(a.value("height", uint64_t{0})),
                FormatTimeMs(a.value("time_ms", uint64_t{0})), a.value("actor_name", ""),
                a.value("actor_org", ""), a.value("action", ""), detail.dump()});
    }
    std::cout << "\naudit trail\n" << t.Render();
  }
  return kExitOk;
}

CommandResult RunList(const GlobalOptions& g, const CaseOptions& o) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  Json args = {{"limit", 1000}};
  if (o.overdue) args["overdue"] = true;
  if (!o.flow_filter.empty()) args["flow"] = o.flow_filter;
  if (!o.status_filter.empty()) args["status"] = o.status_filter;
  CLI_ASSIGN_OR_RETURN(Json list, s->Query("cases", args));
  if (g.json) {
    std::cout << MaskIdFields(list, g.show_ids).dump(2) << "\n";
    return kExitOk;
  }
  if (list.empty()) {
    std::cout << (o.overdue ? "no overdue cases\n" : "no cases\n");
    return kExitOk;
  }
  Table t({"case", "flow", "status", "opened", "due", "overdue"});
  for (const auto& c : list) {
    t.AddRow({c.value("id", ""), c.value("flow", ""), c.value("status", ""),
              FormatTimeMs(c.value("opened_at_ms", uint64_t{0})),
              FormatTimeMs(c.value("due_ms", uint64_t{0})),
              c.value("overdue", false) ? "OVERDUE" : ""});
  }
  std::cout << t.Render();
  return kExitOk;
}

}  // namespace

void AddCaseCommands(CLI::App& app, CliContext& ctx) {
  auto* kase = app.add_subcommand("case", "window clerks: open a case, show and list cases");
  kase->require_subcommand(1);

  auto oo = std::make_shared<CaseOptions>();
  auto* open = kase->add_subcommand(
      "open", "open a case from an application file (signed by a window clerk)");
  open->add_option("flow", oo->flow, "enterprise or newborn")
      ->required()
      ->check(CLI::IsMember({"enterprise", "newborn"}));
  open->add_option("--file", oo->file, "application.json (see examples/*-application.json)")
      ->required();
  open->add_option(
      "--genesis", oo->genesis,
      "genesis.json, for the orgs' encryption keys (default with --net: DIR/genesis.json)");
  open->add_option("--secrets-out", oo->secrets_out,
                   "where to keep the per-field salts (default: APPLICATION.secrets.json beside "
                   "the application)");
  open->add_option("--holder-key", oo->holder_key,
                   "the holder's public key (hex or FILE.pub); overrides the file's holder_key");
  open->callback([&ctx, oo] { ctx.run = [&ctx, oo] { return RunOpen(ctx.global, *oo); }; });

  auto so = std::make_shared<CaseOptions>();
  auto* show = kase->add_subcommand("show", "a case: status, due time, tasks, outputs");
  show->add_option("id", so->id, "case id, e.g. ENT-2026-000001")->required();
  show->add_flag("--audit", so->audit, "with the audit trail (who did what, when, which block)");
  show->callback([&ctx, so] { ctx.run = [&ctx, so] { return RunShow(ctx.global, *so); }; });

  auto lo = std::make_shared<CaseOptions>();
  auto* list = kase->add_subcommand("list", "list cases");
  list->add_flag("--overdue", lo->overdue, "only open cases past their due time");
  list->add_option("--flow", lo->flow_filter, "only this flow (enterprise, newborn)");
  list->add_option("--status", lo->status_filter, "only this status (open, completed, rejected)");
  list->callback([&ctx, lo] { ctx.run = [&ctx, lo] { return RunList(ctx.global, *lo); }; });
}

}  // namespace licenced::cli
