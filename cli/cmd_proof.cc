// Holder and verifier commands: proof export, present, verify (docs/cli.md,
// docs/proof-format.md).
#include "cli/app.h"

namespace licenced::cli {

void AddProofCommands(CLI::App& app, CliContext& ctx) {
  (void)app;
  (void)ctx;
}

}  // namespace licenced::cli
