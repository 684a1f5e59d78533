// licencectl: the clerks', holders' and operators' command-line tool.
// See docs/cli.md for every command.
#include <cstdio>
#include <iostream>

#include "bench/commands.h"
#include "cli/app.h"
#include "core/crypto.h"

int main(int argc, char** argv) {
  using namespace licenced::cli;
  if (!licenced::crypto::Init().ok()) {
    return ExitCode(CliError{kExitUsage, "libsodium failed to initialise; check the installation"});
  }
  CLI::App app{"licencectl: work with a licenced network (keys, networks, nodes, load)",
               "licencectl"};
  app.require_subcommand(1);
  app.fallthrough();
  CliContext ctx;
  auto& g = ctx.global;
  app.add_flag("--json", g.json, "machine-readable JSON output");
  app.add_option("--node", g.node, "node client address HOST:PORT");
  app.add_option("--net", g.net, "network dir made by deploy/local-net or network generate");
  app.add_option("--org", g.org, "org within --net (its node, TLS files and admin key)");
  app.add_option("--ca", g.ca, "CA certificate (PEM) that signed the node's TLS certificate");
  app.add_option("--cert", g.cert, "client TLS certificate (PEM), optional");
  app.add_option("--key-tls", g.key_tls, "client TLS private key (PEM), optional");
  app.add_option("--key", g.key, "signing key file (default with --net: DIR/ORG/admin.key)");
  app.add_option("--passphrase-file", g.passphrase_file,
                 "file whose first line is the passphrase of an encrypted key file");
  app.add_option("--timeout", g.timeout_s, "seconds to wait for a node (default 30)");
  app.add_flag("--show-ids", g.show_ids, "show ID numbers in full (default: first 4 and last 4)");

  AddAdminCommands(app, ctx);
  AddGovernanceCommands(app, ctx);
  AddCaseCommands(app, ctx);
  AddTaskCommands(app, ctx);
  AddLicenceCommands(app, ctx);
  AddKeyCommands(app, ctx);
  AddNetworkCommands(app, ctx);
  AddNodeCommands(app, ctx);
  licenced::bench::AddLoadCommand(app, ctx);
  AddProofCommands(app, ctx);
  licenced::bench::AddBenchCommands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    std::fprintf(stderr, "Run 'licencectl --help' or 'licencectl COMMAND --help' for usage.\n");
    return kExitUsage;
  }
  if (!ctx.run) return ExitCode(CliError{kExitUsage, "no command given; run 'licencectl --help'"});
  // Every command runs here: its error is printed by ExitCode, and an
  // exception it lets escape (e.g. from nlohmann::json) is caught by Guarded.
  return ExitCode(Guarded(ctx.run));
}
