// licencectl licence show|list|suspend|restore|revoke|cancel|renew: the
// licence registry (licence chaincode, docs/cli.md "Licences"). Status
// changes are signed by a licensing clerk (or admin) of the issuing org.
#include <iostream>
#include <memory>

#include <fmt/core.h>

#include "cli/app.h"
#include "cli/render.h"
#include "client/session.h"

namespace licenced::cli {
using client::Json;
using client::MaskHex;
using client::ParsePublicKeyArg;
using client::Session;
using client::SubmitResult;

namespace {

struct LicenceOptions {
  std::string id;
  std::string reason;
  std::string valid_until;
  std::string holder_key;
  std::string holder;
  std::string issuer;
  std::string type;
  std::string status;
};

void PrintLicence(const Json& l, bool show_ids) {
  const Json& r = l["record"];
  std::string status = l.value("status", "");
  if (!l.value("reason", "").empty()) status += " (" + l.value("reason", "") + ")";
  std::string holder_code = r.value("holder_code", "");
  if (r.value("holder_code_type", "") == "resident_id" && !show_ids)
    holder_code = MaskId(holder_code);
  std::cout << fmt::format(
      "licence {}\n  type        {} ({})\n  number      {}\n  status      {}\n"
      "  issuer      {} ({}, {})\n  issued      {} (block {})\n  valid       {} .. {}\n"
      "  holder key  {}\n",
      r.value("identifier", ""), r.value("licence_name", ""), r.value("type_code", ""),
      r.value("number", ""), status, r.value("issuer_name", ""), r.value("issuer_org", ""),
      r.value("issuer_code", ""), r.value("issue_date", ""), r.value("issued_height", uint64_t{0}),
      r.value("valid_from", ""),
      r.value("valid_until", "").empty() ? "(no end)" : r.value("valid_until", ""),
      MaskHex(r.value("holder_key", "")));
  if (!holder_code.empty()) {
    std::cout << fmt::format("  holder code {} ({})\n", holder_code,
                             r.value("holder_code_type", ""));
  }
  if (!l.value("replaced_by", "").empty()) {
    std::cout << fmt::format("  replaced by {}\n", l.value("replaced_by", ""));
  }
  if (!r.value("replaces", "").empty()) {
    std::cout << fmt::format("  replaces    {}\n", r.value("replaces", ""));
  }
  if (!r.value("case_id", "").empty())
    std::cout << "  case        " << r["case_id"].get<std::string>() << "\n";
  std::cout << "  status set  block " << l.value("updated_height", uint64_t{0}) << "\n";
  Json pub = r.value("public_fields", Json::object());
  if (!pub.empty()) std::cout << "  public      " << pub.dump() << "\n";
  Json commitments = r.value("commitments", Json::object());
  if (!commitments.empty()) {
    std::string names;
    for (auto it = commitments.begin(); it != commitments.end(); ++it) {
      names += (names.empty() ? "" : ", ") + it.key();
    }
    std::cout << "  committed   " << names << " (salted hashes; the holder can disclose them)\n";
  }
}

CommandResult RunShow(const GlobalOptions& g, const LicenceOptions& o) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  CLI_ASSIGN_OR_RETURN(Json l, s->Query("licence", {{"identifier", o.id}}));
  if (g.json) {
    std::cout << l.dump(2) << "\n";
  } else {
    PrintLicence(l, g.show_ids);
  }
  return kExitOk;
}

CommandResult RunList(const GlobalOptions& g, const LicenceOptions& o) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  Json args = {{"limit", 1000}};
  if (!o.holder.empty()) {
    CLI_ASSIGN_OR_RETURN(const std::string hex, ParsePublicKeyArg(o.holder, "--holder"));
    args["holder_key"] = hex;
  }
  if (!o.issuer.empty()) args["issuer_org"] = o.issuer;
  if (!o.type.empty()) args["type"] = o.type;
  if (!o.status.empty()) args["status"] = o.status;
  CLI_ASSIGN_OR_RETURN(Json list, s->Query("licences", args));
  if (g.json) {
    std::cout << list.dump(2) << "\n";
    return kExitOk;
  }
  if (list.empty()) {
    std::cout << "no licences match\n";
    return kExitOk;
  }
  Table t({"identifier", "type", "issuer", "status", "issued", "valid until", "case"});
  for (const auto& l : list) {
    const Json& r = l["record"];
    t.AddRow({r.value("identifier", ""), r.value("type_code", ""), r.value("issuer_org", ""),
              l.value("status", ""), r.value("issue_date", ""),
              r.value("valid_until", "").empty() ? "-" : r.value("valid_until", ""),
              r.value("case_id", "")});
  }
  std::cout << t.Render();
  return kExitOk;
}

CommandResult RunChange(const GlobalOptions& g, const LicenceOptions& o,
                        const std::string& method) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, true));
  Json args = {{"identifier", o.id}};
  if (!o.reason.empty()) args["reason"] = o.reason;
  if (method == "renew") {
    if (!o.valid_until.empty()) args["valid_until"] = o.valid_until;
    if (!o.holder_key.empty()) {
      CLI_ASSIGN_OR_RETURN(const std::string hex, ParsePublicKeyArg(o.holder_key, "--holder-key"));
      args["holder_key"] = hex;
    }
  }
  CLI_ASSIGN_OR_RETURN(SubmitResult r, s->Submit("licence", method, args));
  if (g.json) {
    std::cout << Json({{"tx_id", r.tx_id}, {"height", r.height}, {"result", r.result}}).dump(2)
              << "\n";
  } else if (method == "renew") {
    std::cout << fmt::format("renewed {} as {} (block {}); the old version is cancelled\n", o.id,
                             r.result.value("identifier", ""), r.height);
  } else {
    std::cout << fmt::format("licence {}: {} -> {} (block {}){}\n", o.id,
                             r.result.value("previous", ""), r.result.value("status", ""), r.height,
                             o.reason.empty() ? "" : ": " + o.reason);
  }
  return kExitOk;
}

}  // namespace

void AddLicenceCommands(CLI::App& app, CliContext& ctx) {
  auto* lic = app.add_subcommand("licence", "the licence registry: show, list, change status");
  lic->require_subcommand(1);

  auto so = std::make_shared<LicenceOptions>();
  auto* show = lic->add_subcommand("show", "a licence: record, status, validity");
  show->add_option("id", so->id, "licence identifier")->required();
  show->callback([&ctx, so] { ctx.run = [&ctx, so] { return RunShow(ctx.global, *so); }; });

  auto lo = std::make_shared<LicenceOptions>();
  auto* list = lic->add_subcommand("list", "list licences");
  list->add_option("--holder", lo->holder, "only this holder's (public key hex or FILE.pub)");
  list->add_option("--issuer", lo->issuer, "only those issued by this org");
  list->add_option("--type", lo->type, "only this licence type code (e.g. BL)");
  list->add_option("--status", lo->status,
                   "only this status (valid, suspended, revoked, cancelled, expired)");
  list->callback([&ctx, lo] { ctx.run = [&ctx, lo] { return RunList(ctx.global, *lo); }; });

  struct Verb {
    const char* name;
    const char* help;
    bool reason_required;
  };
  for (const Verb& v : {Verb{"suspend", "suspend a valid licence", true},
                        Verb{"restore", "restore a suspended licence", false},
                        Verb{"revoke", "revoke a licence for good", true},
                        Verb{"cancel", "cancel a licence (e.g. the holder gave it up)", true},
                        Verb{"renew", "issue a new version that replaces this one", false}}) {
    auto o = std::make_shared<LicenceOptions>();
    std::string method = v.name;
    auto* cmd = lic->add_subcommand(
        method, std::string(v.help) + " (signed by a licensing clerk of the issuing org)");
    cmd->add_option("id", o->id, "licence identifier")->required();
    auto* reason = cmd->add_option("--reason", o->reason, "why (recorded on the ledger)");
    if (v.reason_required) reason->required();
    if (method == "renew") {
      cmd->add_option("--valid-until", o->valid_until, "last valid day YYYY-MM-DD");
      cmd->add_option("--holder-key", o->holder_key, "new holder key (hex or FILE.pub)");
    }
    cmd->callback([&ctx, o, method] {
      ctx.run = [&ctx, o, method] { return RunChange(ctx.global, *o, method); };
    });
  }
}

}  // namespace licenced::cli
