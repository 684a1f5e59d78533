#include "cli/app.h"

#include <cstdio>
#include <exception>

#include <fmt/core.h>

namespace licenced::cli {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "licencectl: error: %s\n", message.c_str());
  return code;
}

int FailStatus(int code, const Status& status) { return Fail(code, status.message()); }

int Report(const CliError& e) { return Fail(e.code, e.message); }

int Guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Fail(kExitUsage, fmt::format("unexpected data from the node or a file ({}); check that "
                                        "licencectl and licenced are the same version",
                                        e.what()));
  }
}

}  // namespace licenced::cli
