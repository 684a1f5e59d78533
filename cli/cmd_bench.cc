// licencectl bench: the performance benchmark (docs/performance.md). Filled in
// by cli/bench_*.cc; this file registers the subcommand.
#include "cli/app.h"

namespace licenced::cli {

void AddBenchCommands(CLI::App& app, CliContext& ctx) {
  auto* bench =
      app.add_subcommand("bench", "measure this machine's ceiling and a network's figures");
  bench->callback(
      [&ctx] { ctx.run = [] { return Fail(kExitUsage, "bench: not implemented yet"); }; });
}

}  // namespace licenced::cli
