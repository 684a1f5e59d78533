// lic_bench's licencectl subcommands: `licencectl bench` (the performance
// benchmark, docs/performance.md: cmd_bench.cc composing bench_*.cc) and
// `licencectl load` (cmd_load.cc: pre-signed transactions submitted across
// nodes with wait_for_commit; prints committed tx/s and latency percentiles).
// licencectl's main.cc registers them next to the clerks' and operators'
// commands. Not thread-safe (CLI11 registration).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/app.h"

namespace licenced::bench {

void AddBenchCommands(CLI::App& app, cli::CliContext& ctx);  // bench
void AddLoadCommand(CLI::App& app, cli::CliContext& ctx);    // load

}  // namespace licenced::bench
