// licencectl clerk enrol|suspend|restore|remove|list|show: an org admin
// manages its org's clerks; clerk rotate-key: a clerk replaces its own key
// (identity chaincode, docs/cli.md "Admin").
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

struct ClerkOptions {
  std::string name;
  std::vector<std::string> roles;
  std::string pubkey;
  std::string reason;
  std::string of_org;
  bool all = false;
};

std::string RolesText(const Json& roles) {
  std::string s;
  for (const auto& r : roles) s += (s.empty() ? "" : ",") + r.get<std::string>();
  return s;
}

void PrintClerk(const Json& c) {
  std::cout << fmt::format(
      "clerk '{}' of {}\n  public key  {}\n  key id      {}\n  roles       {}\n  status      {}{}\n"
      "  enrolled    {} (block {})\n",
      c.value("name", ""), c.value("org", ""), c.value("public_key", ""), c.value("key_id", ""),
      RolesText(c["roles"]), c.value("status", ""),
      c.value("reason", "").empty() ? "" : " (" + c.value("reason", "") + ")",
      FormatTimeMs(c.value("enrolled_at_ms", uint64_t{0})),
      c.value("enrolled_height", uint64_t{0}));
}

CommandResult RunEnrol(const GlobalOptions& g, const ClerkOptions& o) {
  CLI_ASSIGN_OR_RETURN(const std::string key_hex, ParsePublicKeyArg(o.pubkey, "--pubkey"));
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, true));
  Json args = {{"name", o.name}, {"public_key", key_hex}, {"roles", o.roles}};
  CLI_ASSIGN_OR_RETURN(SubmitResult r, s->Submit("identity", "enrol_clerk", args));
  if (g.json) {
    std::cout << Json({{"tx_id", r.tx_id}, {"height", r.height}, {"clerk", r.result}}).dump(2)
              << "\n";
  } else {
    std::cout << fmt::format("enrolled clerk '{}' [{}] in {} (key {}), block {}\n", o.name,
                             RolesText(r.result["roles"]), r.result.value("org", ""),
                             MaskHex(key_hex), r.height);
  }
  return kExitOk;
}

CommandResult RunChange(const GlobalOptions& g, const ClerkOptions& o, const std::string& method) {
  CLI_ASSIGN_OR_RETURN(const std::string key_hex, ParsePublicKeyArg(o.pubkey, "KEY"));
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, true));
  Json args = {{"public_key", key_hex}};
  if (!o.reason.empty()) args["reason"] = o.reason;
  CLI_ASSIGN_OR_RETURN(SubmitResult r, s->Submit("identity", method, args));
  if (g.json) {
    std::cout << Json({{"tx_id", r.tx_id}, {"height", r.height}, {"clerk", r.result}}).dump(2)
              << "\n";
  } else {
    std::cout << fmt::format("clerk '{}' of {} is now {} (block {})\n", r.result.value("name", ""),
                             r.result.value("org", ""), r.result.value("status", ""), r.height);
  }
  return kExitOk;
}

// Signed by the clerk's current key (--key): the new key takes over the record.
CommandResult RunRotate(const GlobalOptions& g, const ClerkOptions& o) {
  CLI_ASSIGN_OR_RETURN(const std::string key_hex, ParsePublicKeyArg(o.pubkey, "--new-pubkey"));
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, true));
  CLI_ASSIGN_OR_RETURN(SubmitResult r,
                       s->Submit("identity", "rotate_key", {{"new_public_key", key_hex}}));
  if (g.json) {
    std::cout << Json({{"tx_id", r.tx_id}, {"height", r.height}, {"clerk", r.result}}).dump(2)
              << "\n";
  } else {
    std::cout << fmt::format(
        "clerk '{}' of {} now signs with {}; the old key {} is suspended from block {}\n",
        r.result.value("name", ""), r.result.value("org", ""), MaskHex(key_hex),
        MaskHex(r.result.value("rotated_from", "")), r.height);
  }
  return kExitOk;
}

CommandResult RunList(const GlobalOptions& g, const ClerkOptions& o) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  Json args = {{"limit", 1000}};
  std::string org = !o.of_org.empty() ? o.of_org : (o.all ? "" : g.org);
  if (!org.empty()) args["org"] = org;
  CLI_ASSIGN_OR_RETURN(Json list, s->Query("clerks", args));
  if (g.json) {
    std::cout << list.dump(2) << "\n";
    return kExitOk;
  }
  Table t({"org", "name", "roles", "status", "key id", "public key"});
  for (const auto& c : list) {
    t.AddRow({c.value("org", ""), c.value("name", ""), RolesText(c["roles"]), c.value("status", ""),
              c.value("key_id", ""), MaskHex(c.value("public_key", ""))});
  }
  if (t.size() == 0) {
    std::cout << "no clerks" << (org.empty() ? "" : " in " + org)
              << " (enrol one with 'licencectl clerk enrol')\n";
  } else {
    std::cout << t.Render();
  }
  return kExitOk;
}

CommandResult RunShow(const GlobalOptions& g, const ClerkOptions& o) {
  CLI_ASSIGN_OR_RETURN(const std::string key_hex, ParsePublicKeyArg(o.pubkey, "KEY"));
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  CLI_ASSIGN_OR_RETURN(Json c, s->Query("clerk", {{"public_key", key_hex}}));
  if (g.json) {
    std::cout << c.dump(2) << "\n";
  } else {
    PrintClerk(c);
  }
  return kExitOk;
}

}  // namespace

void AddAdminCommands(CLI::App& app, CliContext& ctx) {
  auto* clerk = app.add_subcommand(
      "clerk", "org admins: enrol, suspend, restore, remove and list their org's clerks");
  clerk->require_subcommand(1);
  const char* kKeyHelp = "the clerk's public key: 64 hex characters or a FILE.pub";

  auto eo = std::make_shared<ClerkOptions>();
  auto* enrol = clerk->add_subcommand(
      "enrol", "enrol a clerk in the signer's org (signed by an org admin key)");
  enrol->add_option("--name", eo->name, "the clerk's name")->required();
  enrol->add_option("--roles", eo->roles, "roles: window, clerk, licensing, engraver (police)")
      ->required()
      ->delimiter(',');
  enrol->add_option("--pubkey", eo->pubkey, kKeyHelp)->required();
  enrol->callback([&ctx, eo] { ctx.run = [&ctx, eo] { return RunEnrol(ctx.global, *eo); }; });

  for (const char* verb : {"suspend", "restore", "remove"}) {
    auto o = std::make_shared<ClerkOptions>();
    std::string v = verb;
    auto* cmd = clerk->add_subcommand(
        v, v == "suspend"   ? "suspend a clerk (its transactions are refused until restored)"
           : v == "restore" ? "restore a suspended clerk"
                            : "remove a clerk for good");
    cmd->add_option("key", o->pubkey, kKeyHelp)->required();
    auto* reason = cmd->add_option("--reason", o->reason, "why (recorded on the ledger)");
    if (v != "restore") reason->required();
    std::string method = v + "_clerk";
    cmd->callback([&ctx, o, method] {
      ctx.run = [&ctx, o, method] { return RunChange(ctx.global, *o, method); };
    });
  }

  auto ro = std::make_shared<ClerkOptions>();
  auto* rotate = clerk->add_subcommand(
      "rotate-key", "a clerk replaces its own key (signed with the current one, --key)");
  rotate->add_option("--new-pubkey", ro->pubkey, "the new public key: 64 hex or a FILE.pub")
      ->required();
  rotate->callback([&ctx, ro] { ctx.run = [&ctx, ro] { return RunRotate(ctx.global, *ro); }; });

  auto lo = std::make_shared<ClerkOptions>();
  auto* list = clerk->add_subcommand("list", "list clerks (default: of --org)");
  list->add_option("--of", lo->of_org, "only clerks of this org");
  list->add_flag("--all", lo->all, "clerks of every org");
  list->callback([&ctx, lo] { ctx.run = [&ctx, lo] { return RunList(ctx.global, *lo); }; });

  auto so = std::make_shared<ClerkOptions>();
  auto* show = clerk->add_subcommand("show", "one clerk's record");
  show->add_option("key", so->pubkey, kKeyHelp)->required();
  show->callback([&ctx, so] { ctx.run = [&ctx, so] { return RunShow(ctx.global, *so); }; });
}

}  // namespace licenced::cli
