// licencectl's command plumbing: global options, exit codes, error output.
// Each cmd_*.cc file registers its subcommands on the CLI11 app; the chosen
// subcommand stores what to run in `CliContext::run`, which returns a
// CommandResult: the exit code of a command that ran to its end, or the
// CliError that stopped it. main.cc reports it in one place (ExitCode).
// Not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "client/cli_result.h"
#include "client/options.h"
#include "core/status.h"

namespace licenced::cli {

// Global options, exit codes, CliError and CliResult are lic_client's
// (client/options.h, client/cli_result.h).
using client::CliError;
using client::CliResult;
using client::ErrorFrom;
using client::GlobalOptions;
using client::kExitOk;
using client::kExitRejected;
using client::kExitUsage;
using client::Lift;

// What a command returns: its exit code when it ran to its end (kExitOk, or
// the code of a verdict it printed itself: a proof that does not verify, a
// node that is down, a transaction committed as rejected), else the CliError
// that stopped it.
using CommandResult = CliResult<int>;

struct CliContext {
  GlobalOptions global;
  std::function<CommandResult()> run;
};

// The process exit code for a command's result. For a CliError, prints
// "licencectl: error: <message>" to stderr first: the one place licencectl
// reports an error.
int ExitCode(const CommandResult& result);

// Runs a command; an exception (e.g. a node answer of an unexpected shape)
// becomes a CliError with exit code 2 instead of a crash.
CommandResult Guarded(const std::function<CommandResult()>& run);

void AddAdminCommands(CLI::App& app, CliContext& ctx);    // clerk enrol|suspend|restore|remove|list
void AddCaseCommands(CLI::App& app, CliContext& ctx);     // case open|show|list
void AddTaskCommands(CLI::App& app, CliContext& ctx);     // inbox, task show|claim|complete|reject
void AddLicenceCommands(CLI::App& app, CliContext& ctx);  // licence show|list|suspend|...
void AddKeyCommands(CLI::App& app, CliContext& ctx);
void AddNetworkCommands(CLI::App& app, CliContext& ctx);
void AddNodeCommands(CLI::App& app, CliContext& ctx);   // status, block, tx
void AddProofCommands(CLI::App& app, CliContext& ctx);  // proof export, present, verify
// governance propose|approve|show|list, validator list
void AddGovernanceCommands(CLI::App& app, CliContext& ctx);
// bench and load: bench/commands.h (lic_bench).

}  // namespace licenced::cli
