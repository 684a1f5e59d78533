// licencectl's command plumbing: global options, exit codes, error output.
// Each cmd_*.cc file registers its subcommands on the CLI11 app; the chosen
// subcommand stores what to run in `CliContext::run`. Not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "client/options.h"
#include "core/status.h"

namespace licenced::cli {

// Global options, exit codes and CliError are lic_client's (client/options.h).
using client::CliError;
using client::GlobalOptions;
using client::kExitOk;
using client::kExitRejected;
using client::kExitUsage;

struct CliContext {
  GlobalOptions global;
  std::function<int()> run;
};

// Prints "licencectl: error: <message>" to stderr and returns `code`.
int Fail(int code, const std::string& message);
// Maps a Status to an exit code (kInvalidArgument/NotFound/... from a node or
// verification -> 1; config, I/O and unavailability -> 2) and prints it.
int FailStatus(int code, const Status& status);
// Prints the error and returns its exit code.
int Report(const CliError& e);

// Runs a command body; an exception (e.g. a node answer of an unexpected
// shape) becomes exit code 2 with a message instead of a crash.
int Guarded(const std::function<int()>& body);

void AddAdminCommands(CLI::App& app, CliContext& ctx);    // clerk enrol|suspend|restore|remove|list
void AddCaseCommands(CLI::App& app, CliContext& ctx);     // case open|show|list
void AddTaskCommands(CLI::App& app, CliContext& ctx);     // inbox, task show|claim|complete|reject
void AddLicenceCommands(CLI::App& app, CliContext& ctx);  // licence show|list|suspend|...
void AddKeyCommands(CLI::App& app, CliContext& ctx);
void AddNetworkCommands(CLI::App& app, CliContext& ctx);
void AddNodeCommands(CLI::App& app, CliContext& ctx);   // status, block, tx
void AddProofCommands(CLI::App& app, CliContext& ctx);  // proof export, present, verify
// bench and load: bench/commands.h (lic_bench).

}  // namespace licenced::cli
