// licencectl governance propose|approve|show|list and licencectl validator
// list: org admins change the network's membership and rules by proposal
// (governance chaincode, docs/cli.md "Governance"), and anyone reads the
// validator set.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/core.h>

#include "cli/app.h"
#include "cli/render.h"
#include "client/conn.h"
#include "client/session.h"

namespace licenced::cli {
using client::Json;
using client::MaskHex;
using client::ParsePublicKeyArg;
using client::Session;
using client::SubmitResult;

namespace {

struct ProposeOptions {
  // add-org
  std::string id, name, encryption_key, credit_code;
  std::vector<std::string> admin_keys;
  // replace-admin-key
  std::string org, old_key, new_key;
  // set-issuers
  std::string type;
  std::vector<std::string> orgs;
  // set-holidays
  std::vector<std::string> dates;
  std::string dates_file;
  // set-threshold
  uint32_t threshold = 0;
  // validators
  std::string validator, pubkey, address;
  // raw
  std::string kind, change;
  std::string reason;
};

std::string ApprovalsText(const Json& p) {
  std::string orgs;
  for (const auto& a : p["approvals"]) orgs += (orgs.empty() ? "" : ", ") + a.value("org", "");
  return fmt::format("{}/{}{}", p["approvals"].size(), p.value("threshold", 0),
                     orgs.empty() ? "" : " (" + orgs + ")");
}

// The node's executed height, or 0 if it does not say (then nothing is
// shown as expired).
uint64_t HeadHeight(Session& s) {
  grpc::ClientContext ctx;
  ctx.set_deadline(client::DeadlineIn(std::min(s.global().timeout_s, 5.0)));
  ::licenced::v1::NodeStatus st;
  if (!s.stub().GetStatus(&ctx, ::licenced::v1::GetStatusRequest(), &st).ok()) return 0;
  return st.height();
}

// Marks an open proposal past its last block as expired (the ledger keeps it
// "open": nothing can approve it any more, and no transaction ran to say so).
void MarkExpired(Json& p, uint64_t head) {
  p["expired"] =
      p.value("status", "") == "open" && head > 0 && head > p.value("expires_height", uint64_t{0});
}

std::string StatusText(const Json& p) {
  if (p.value("status", "") == "applied") {
    return fmt::format("applied at block {}", p.value("applied_height", uint64_t{0}));
  }
  if (p.value("expired", false)) {
    return fmt::format("expired after block {}", p.value("expires_height", uint64_t{0}));
  }
  return fmt::format("open until block {}", p.value("expires_height", uint64_t{0}));
}

void PrintProposal(const Json& p) {
  std::cout << fmt::format(
      "proposal {}: {}\n  kind        {}\n  status      {}\n  approvals   {}\n"
      "  proposed    by {} admin {} at block {} ({})\n",
      p.value("id", uint64_t{0}), p.value("summary", ""), p.value("kind", ""), StatusText(p),
      ApprovalsText(p), p.value("proposer_org", ""), MaskHex(p.value("proposer_key", "")),
      p.value("proposed_height", uint64_t{0}),
      FormatTimeMs(p.value("proposed_at_ms", uint64_t{0})));
  if (!p.value("reason", "").empty()) std::cout << "  reason      " << p["reason"] << "\n";
  std::cout << "  change      " << p["change"].dump() << "\n";
}

// An X25519 public key as 64 hex characters, or a file holding them.
CliResult<std::string> ReadHexKeyArg(const std::string& arg, const std::string& what) {
  auto is_hex = [](const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
  };
  if (is_hex(arg)) return arg;
  std::ifstream in(arg);
  if (!in) {
    return CliError{kExitUsage,
                    what + ": expected 64 hex characters or a readable file, got '" + arg + "'"};
  }
  std::string text;
  in >> text;
  if (!is_hex(text)) return CliError{kExitUsage, what + ": " + arg + " holds no 64-hex-digit key"};
  return text;
}

CliResult<Json> ReadHolidays(const ProposeOptions& o) {
  std::vector<std::string> dates = o.dates;
  if (!o.dates_file.empty()) {
    std::ifstream in(o.dates_file);
    if (!in) return CliError{kExitUsage, "--file: cannot read " + o.dates_file};
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    Json j = Json::parse(text, nullptr, false);
    if (!j.is_discarded() && j.is_array()) {
      for (const auto& d : j) {
        if (!d.is_string()) return CliError{kExitUsage, "--file: expected an array of dates"};
        dates.push_back(d.get<std::string>());
      }
    } else {
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        line.erase(0, line.find_first_not_of(" \t\r"));
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (!line.empty()) dates.push_back(line);
      }
    }
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  return Json(dates);
}

// The governance change for `verb` from the options.
CliResult<std::pair<std::string, Json>> BuildChange(const std::string& verb,
                                                    const ProposeOptions& o) {
  if (verb == "add-org") {
    Json keys = Json::array();
    for (const auto& k : o.admin_keys) {
      CLI_ASSIGN_OR_RETURN(std::string hex, ParsePublicKeyArg(k, "--admin-key"));
      keys.push_back(hex);
    }
    CLI_ASSIGN_OR_RETURN(std::string enc, ReadHexKeyArg(o.encryption_key, "--encryption-key"));
    Json c = {{"id", o.id}, {"name", o.name}, {"admin_keys", keys}, {"encryption_key", enc}};
    if (!o.credit_code.empty()) c["credit_code"] = o.credit_code;
    return std::make_pair(std::string("add_org"), c);
  }
  if (verb == "replace-admin-key") {
    CLI_ASSIGN_OR_RETURN(std::string old_hex, ParsePublicKeyArg(o.old_key, "--old"));
    CLI_ASSIGN_OR_RETURN(std::string new_hex, ParsePublicKeyArg(o.new_key, "--new"));
    return std::make_pair(std::string("replace_admin_key"),
                          Json{{"org", o.org}, {"old_key", old_hex}, {"new_key", new_hex}});
  }
  if (verb == "set-issuers") {
    return std::make_pair(std::string("set_issuers"),
                          Json{{"type", o.type}, {"issuer_orgs", o.orgs}});
  }
  if (verb == "set-holidays") {
    CLI_ASSIGN_OR_RETURN(Json dates, ReadHolidays(o));
    return std::make_pair(std::string("set_holidays"), Json{{"holidays", dates}});
  }
  if (verb == "set-threshold") {
    return std::make_pair(std::string("set_threshold"), Json{{"approval_threshold", o.threshold}});
  }
  if (verb == "add-validator" || verb == "rotate-validator-key") {
    CLI_ASSIGN_OR_RETURN(std::string hex, ParsePublicKeyArg(o.pubkey, "--pubkey"));
    Json c = {{"name", o.validator}, {"public_key", hex}};
    if (!o.address.empty()) c["address"] = o.address;
    return std::make_pair(
        std::string(verb == "add-validator" ? "add_validator" : "rotate_validator_key"), c);
  }
  if (verb == "remove-validator") {
    return std::make_pair(std::string("remove_validator"), Json{{"name", o.validator}});
  }
  // raw: --kind K --change JSON|@FILE
  std::string text = o.change;
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1));
    if (!in) return CliError{kExitUsage, "--change: cannot read " + text.substr(1)};
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  Json c = Json::parse(text, nullptr, false);
  if (c.is_discarded() || !c.is_object()) {
    return CliError{kExitUsage, "--change: expected a JSON object (or @FILE holding one)"};
  }
  return std::make_pair(o.kind, c);
}

void PrintSubmitted(const GlobalOptions& g, const SubmitResult& r, const char* verb) {
  if (g.json) {
    std::cout << Json({{"tx_id", r.tx_id}, {"height", r.height}, {"proposal", r.result}}).dump(2)
              << "\n";
    return;
  }
  const Json& p = r.result;
  std::cout << fmt::format("{} proposal {} (block {}): {}\n  approvals {}; {}\n", verb,
                           p.value("id", uint64_t{0}), r.height, p.value("summary", ""),
                           ApprovalsText(p), StatusText(p));
}

CommandResult RunPropose(const GlobalOptions& g, const std::string& verb, const ProposeOptions& o) {
  CLI_ASSIGN_OR_RETURN(auto change, BuildChange(verb, o));
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, true));
  Json args = {{"kind", change.first}, {"change", change.second}};
  if (!o.reason.empty()) args["reason"] = o.reason;
  CLI_ASSIGN_OR_RETURN(SubmitResult r, s->Submit("governance", "propose", args));
  PrintSubmitted(g, r, "filed");
  return kExitOk;
}

CommandResult RunApprove(const GlobalOptions& g, uint64_t id) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, true));
  CLI_ASSIGN_OR_RETURN(SubmitResult r, s->Submit("governance", "approve", {{"proposal", id}}));
  PrintSubmitted(g, r, "approved");
  return kExitOk;
}

CommandResult RunShow(const GlobalOptions& g, uint64_t id) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  CLI_ASSIGN_OR_RETURN(Json p, s->Query("proposal", {{"proposal", id}}));
  MarkExpired(p, HeadHeight(*s));
  if (g.json) {
    std::cout << p.dump(2) << "\n";
  } else {
    PrintProposal(p);
  }
  return kExitOk;
}

CommandResult RunList(const GlobalOptions& g, const std::string& status) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  Json args = {{"limit", 1000}};
  if (!status.empty()) args["status"] = status;
  CLI_ASSIGN_OR_RETURN(Json list, s->Query("proposals", args));
  const uint64_t head = HeadHeight(*s);
  for (auto& p : list) MarkExpired(p, head);
  if (g.json) {
    std::cout << list.dump(2) << "\n";
    return kExitOk;
  }
  Table t({"id", "kind", "status", "approvals", "summary"});
  for (const auto& p : list) {
    t.AddRow({std::to_string(p.value("id", uint64_t{0})), p.value("kind", ""), StatusText(p),
              ApprovalsText(p), p.value("summary", "")});
  }
  if (t.size() == 0) {
    std::cout << "no governance proposals" << (status.empty() ? "" : " " + status)
              << " (file one with 'licencectl governance propose')\n";
  } else {
    std::cout << t.Render();
  }
  return kExitOk;
}

// The membership and rules in force: genesis, with what governance applied.
CommandResult RunRules(const GlobalOptions& g) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  CLI_ASSIGN_OR_RETURN(Json r, s->Query("governance", Json::object()));
  if (g.json) {
    std::cout << r.dump(2) << "\n";
    return kExitOk;
  }
  std::string validator_orgs;
  for (const auto& o : r["validator_orgs"]) {
    validator_orgs += (validator_orgs.empty() ? "" : ", ") + o.get<std::string>();
  }
  const Json& holidays = r["holidays"];
  std::cout << fmt::format(
      "approvals needed  {} of the validator orgs ({})\nproposals expire  {} blocks after "
      "they are filed\nholidays          {} dates{}\n\n",
      r.value("approval_threshold", 0), validator_orgs, r.value("proposal_ttl_blocks", uint64_t{0}),
      holidays.size(),
      holidays.empty() ? ""
                       : fmt::format(" ({} .. {})", holidays.front().get<std::string>(),
                                     holidays.back().get<std::string>()));
  Table orgs({"org", "name", "validator", "admin keys", "credit code", "since"});
  for (const auto& o : r["organisations"]) {
    orgs.AddRow({o.value("id", ""), o.value("name", ""),
                 o.value("runs_validator", false) ? "yes" : "no",
                 std::to_string(o["admin_keys"].size()), o.value("credit_code", ""),
                 o.value("from_genesis", false) ? "genesis" : "governance"});
  }
  std::cout << orgs.Render() << "\n";
  Table types({"licence type", "issuer orgs"});
  for (const auto& t : r["licence_types"]) {
    std::string issuers;
    for (const auto& o : t["issuer_orgs"]) {
      issuers += (issuers.empty() ? "" : ", ") + o.get<std::string>();
    }
    types.AddRow({t.value("code", ""), issuers});
  }
  std::cout << types.Render();
  return kExitOk;
}

CommandResult RunValidatorList(const GlobalOptions& g) {
  CLI_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, Session::Open(g, false));
  CLI_ASSIGN_OR_RETURN(Json v, s->Query("validators", Json::object()));
  if (g.json) {
    std::cout << v.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("epoch {} since block {}: {} validators, f = {}, quorum {}\n",
                           v.value("epoch", 0), v.value("since_height", uint64_t{0}),
                           v.value("n", 0), v.value("f", 0), v.value("quorum", 0));
  Table t({"replica", "name", "org", "consensus key", "address"});
  for (const auto& x : v["validators"]) {
    t.AddRow({std::to_string(x.value("replica", 0)), x.value("name", ""), x.value("org", ""),
              MaskHex(x.value("public_key", "")), x.value("address", "")});
  }
  std::cout << t.Render();
  return kExitOk;
}

}  // namespace

void AddGovernanceCommands(CLI::App& app, CliContext& ctx) {
  auto* gov = app.add_subcommand(
      "governance", "org admins propose and approve changes to the network's members and rules");
  gov->require_subcommand(1);
  auto* propose = gov->add_subcommand(
      "propose", "file a proposal (signed by an org admin; a validator org's counts as approval)");
  propose->require_subcommand(1);
  const char* kKeyHelp = "an Ed25519 public key: 64 hex characters or a FILE.pub";

  auto add = [&](const std::string& verb, const std::string& help,
                 const std::function<void(CLI::App*, ProposeOptions&)>& options) {
    auto o = std::make_shared<ProposeOptions>();
    auto* cmd = propose->add_subcommand(verb, help);
    options(cmd, *o);
    cmd->add_option("--reason", o->reason, "why (recorded on the ledger)");
    cmd->callback([&ctx, o, verb] {
      ctx.run = [&ctx, o, verb] { return RunPropose(ctx.global, verb, *o); };
    });
  };
  add("add-org", "add a member org", [&](CLI::App* c, ProposeOptions& o) {
    c->add_option("--id", o.id, "org id: [a-z][a-z0-9_-]{0,31}")->required();
    c->add_option("--name", o.name, "the org's name")->required();
    c->add_option("--admin-key", o.admin_keys, kKeyHelp)->required()->delimiter(',');
    c->add_option("--encryption-key", o.encryption_key,
                  "the org's X25519 key for sealed case data: 64 hex characters or a file")
        ->required();
    c->add_option("--credit-code", o.credit_code, "its unified social credit code (GB 32100)");
  });
  add("replace-admin-key", "replace one admin key of an org", [&](CLI::App* c, ProposeOptions& o) {
    c->add_option("--org", o.org, "the org")->required();
    c->add_option("--old", o.old_key, kKeyHelp)->required();
    c->add_option("--new", o.new_key, kKeyHelp)->required();
  });
  add("set-issuers", "set which orgs may issue a licence type",
      [&](CLI::App* c, ProposeOptions& o) {
        c->add_option("--type", o.type, "licence type code, e.g. BL")->required();
        c->add_option("--orgs", o.orgs, "the orgs, comma-separated")->required()->delimiter(',');
      });
  add("set-holidays", "replace the holiday list", [&](CLI::App* c, ProposeOptions& o) {
    c->add_option("--dates", o.dates, "YYYY-MM-DD dates, comma-separated")->delimiter(',');
    c->add_option("--file", o.dates_file, "a file: a JSON array of dates, or one date per line");
  });
  add("set-threshold", "set how many validator orgs must approve a proposal",
      [&](CLI::App* c, ProposeOptions& o) {
        c->add_option("approvals", o.threshold, "a majority of the validator orgs, at most all")
            ->required();
      });
  add("add-validator", "add a validator (needs consensus epochs: refused for now)",
      [&](CLI::App* c, ProposeOptions& o) {
        c->add_option("--name", o.validator, "node id, e.g. health-0")->required();
        c->add_option("--pubkey", o.pubkey, kKeyHelp)->required();
        c->add_option("--address", o.address, "host:port of its peer API");
      });
  add("remove-validator", "remove a validator (needs consensus epochs: refused for now)",
      [&](CLI::App* c, ProposeOptions& o) {
        c->add_option("name", o.validator, "node id, e.g. tax-0")->required();
      });
  add("rotate-validator-key", "rotate a validator's consensus key (needs consensus epochs)",
      [&](CLI::App* c, ProposeOptions& o) {
        c->add_option("--name", o.validator, "node id")->required();
        c->add_option("--pubkey", o.pubkey, kKeyHelp)->required();
      });
  add("raw", "any kind, the change as JSON", [&](CLI::App* c, ProposeOptions& o) {
    c->add_option("--kind", o.kind, "add_org, replace_admin_key, set_issuers, ...")->required();
    c->add_option("--change", o.change, "the change: a JSON object, or @FILE")->required();
  });

  auto approve_id = std::make_shared<uint64_t>(0);
  auto* approve = gov->add_subcommand("approve", "approve a proposal (a validator org's admin)");
  approve->add_option("id", *approve_id, "proposal id")->required();
  approve->callback([&ctx, approve_id] {
    ctx.run = [&ctx, approve_id] { return RunApprove(ctx.global, *approve_id); };
  });

  auto show_id = std::make_shared<uint64_t>(0);
  auto* show = gov->add_subcommand("show", "one proposal: what it changes, who approved");
  show->add_option("id", *show_id, "proposal id")->required();
  show->callback(
      [&ctx, show_id] { ctx.run = [&ctx, show_id] { return RunShow(ctx.global, *show_id); }; });

  auto status = std::make_shared<std::string>();
  auto* list = gov->add_subcommand("list", "proposals, newest first");
  list->add_option("--status", *status, "only open or applied ones")
      ->check(CLI::IsMember({"open", "applied"}));
  list->callback(
      [&ctx, status] { ctx.run = [&ctx, status] { return RunList(ctx.global, *status); }; });

  auto* rules = gov->add_subcommand(
      "rules", "what is in force: approvals needed, orgs, issuer rights, holidays");
  rules->callback([&ctx] { ctx.run = [&ctx] { return RunRules(ctx.global); }; });

  auto* validator = app.add_subcommand("validator", "the validator set consensus counts");
  validator->require_subcommand(1);
  auto* vlist = validator->add_subcommand("list", "validators, epoch and since which block");
  vlist->callback([&ctx] { ctx.run = [&ctx] { return RunValidatorList(ctx.global); }; });
}

}  // namespace licenced::cli
