// What every licencectl command understands and lic_client's connection
// helpers act on: the global options (which node, which key) and the exit
// codes (docs/cli.md; the error a failed step carries: client/cli_result.h).
// Plain value types.
#pragma once

#include <string>

namespace licenced::client {

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

}  // namespace licenced::client
