// licencectl's command plumbing: global options, exit codes, error output.
// Each cmd_*.cc file registers its subcommands on the CLI11 app; the chosen
// subcommand stores what to run in `CliContext::run`. Not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"

namespace licenced::cli {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;  // rejected or invalid (a transaction, a proof)
inline constexpr int kExitUsage = 2;     // usage, connection or config error

// Options that every subcommand understands.
struct GlobalOptions {
  bool json = false;
  // Connection: either --node (+ TLS files) or --net DIR --org ORG.
  std::string node;
  std::string net;
  std::string org;
  std::string ca;
  std::string cert;
  std::string key_tls;
  std::string key;              // signing key file (default with --net: DIR/<org>/admin.key)
  std::string passphrase_file;  // for an encrypted --key
  bool show_ids = false;        // print ID numbers in full (default: masked, cli/render.h)
  double timeout_s = 30;
};

struct CliContext {
  GlobalOptions global;
  std::function<int()> run;
};

// Prints "licencectl: error: <message>" to stderr and returns `code`.
int Fail(int code, const std::string& message);
// Maps a Status to an exit code (kInvalidArgument/NotFound/... from a node or
// verification -> 1; config, I/O and unavailability -> 2) and prints it.
int FailStatus(int code, const Status& status);

void AddAdminCommands(CLI::App& app, CliContext& ctx);    // clerk enrol|suspend|restore|remove|list
void AddCaseCommands(CLI::App& app, CliContext& ctx);     // case open|show|list
void AddTaskCommands(CLI::App& app, CliContext& ctx);     // inbox, task show|claim|complete|reject
void AddLicenceCommands(CLI::App& app, CliContext& ctx);  // licence show|list|suspend|...
void AddKeyCommands(CLI::App& app, CliContext& ctx);
void AddNetworkCommands(CLI::App& app, CliContext& ctx);
void AddNodeCommands(CLI::App& app, CliContext& ctx);   // status, block, tx, load
void AddProofCommands(CLI::App& app, CliContext& ctx);  // proof export, present, verify
void AddBenchCommands(CLI::App& app, CliContext& ctx);  // bench (docs/performance.md)

}  // namespace licenced::cli
