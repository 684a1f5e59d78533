// licencectl load: a simple load generator (pre-signed transactions submitted
// across nodes with wait_for_commit; prints committed tx/s and latency
// percentiles as JSON). Also the shared FetchNetworkId helper.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "proto/licenced.grpc.pb.h"

namespace licenced::cli {

struct NetworkIdResult {
  grpc::Status status;
  std::string id;
};
// The network_id a node reports (GetStatus).
NetworkIdResult FetchNetworkId(::licenced::v1::ClientApi::Stub& stub, double timeout_s);

void AddLoadCommand(CLI::App& app, CliContext& ctx);

}  // namespace licenced::cli
