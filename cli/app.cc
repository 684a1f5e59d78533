#include "cli/app.h"

#include <cstdio>
#include <exception>

#include <fmt/core.h>

namespace licenced::cli {

int ExitCode(const CommandResult& result) {
  if (result.ok()) return *result;
  std::fprintf(stderr, "licencectl: error: %s\n", result.error().message.c_str());
  return result.error().exit_code;
}

CommandResult Guarded(const std::function<CommandResult()>& run) {
  try {
    return run();
  } catch (const std::exception& e) {
    return CliError{kExitUsage, fmt::format("unexpected data from the node or a file ({}); check "
                                            "that licencectl and licenced are the same version",
                                            e.what())};
  }
}

}  // namespace licenced::cli
