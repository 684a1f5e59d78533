// How licencectl reaches nodes: resolves --node/--net/--org into targets
// (address + TLS files), opens gRPC channels, loads the signing key. Returns
// core Status/Result (lic_bench composes them too); licencectl lifts them into
// CliResult (client/cli_result.h). Functions are stateless; channels and
// stubs are thread-safe (gRPC).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "client/cli_result.h"
#include "client/options.h"
#include "core/crypto.h"
#include "core/status.h"
#include "proto/licenced.grpc.pb.h"

namespace licenced::client {

struct NodeTarget {
  std::string org;           // empty for a bare --node
  std::string node_id;       // also the TLS server name when known
  std::string address;       // client API host:port
  std::string http_address;  // listen.http host:port from --net's node.toml (empty otherwise)
  std::string ca_path;
  std::string cert_path;  // optional client certificate
  std::string key_path;   // optional client TLS key
};

// With --node: that node. With --net and --org: the org's node (a member org
// without a node of its own uses the first validator's node). With --net and
// no --org: every validator's node when `all_nodes`, else the first one.
Result<std::vector<NodeTarget>> ResolveTargets(const GlobalOptions& g, bool all_nodes);

// Every validator node of a network dir, in directory order of genesis.
Result<std::vector<NodeTarget>> NetTargets(const std::string& net_dir);

Result<std::shared_ptr<grpc::Channel>> OpenChannel(const NodeTarget& target);

// The signing key: --key, or DIR/<org>/admin.key with --net and --org.
Result<crypto::KeyPair> LoadSigningKey(const GlobalOptions& g);

// A deadline `seconds` from now.
std::chrono::system_clock::time_point DeadlineIn(double seconds);

// "UNAVAILABLE: failed to connect ..." plus what to do.
std::string DescribeRpcError(const NodeTarget& t, const grpc::Status& s);

// Exit code for a failed RPC: connection/usage problems -> 2, rejections -> 1.
int ExitCodeFor(const grpc::Status& s);

// A failed RPC as a CliError: ExitCodeFor(s) and DescribeRpcError(t, s).
CliError RpcFailure(const NodeTarget& t, const grpc::Status& s);

struct NetworkIdResult {
  grpc::Status status;
  std::string id;
};
// The network_id a node reports (GetStatus).
NetworkIdResult FetchNetworkId(::licenced::v1::ClientApi::Stub& stub, double timeout_s);

}  // namespace licenced::client
