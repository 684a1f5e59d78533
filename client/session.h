// A clerk's session with one node: resolves --node/--net/--org, runs
// chaincode queries, and builds, signs and submits transactions with
// wait_for_commit, mapping every failure to a CliError (client/cli_result.h):
// a licencectl exit code and a message that says what went wrong and what to
// do. Used by licencectl's
// clerks' commands (cli/cmd_admin, cmd_case, cmd_task, cmd_licence).
// Not thread-safe (one per command invocation).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "client/cli_result.h"
#include "client/conn.h"
#include "client/options.h"
#include "core/crypto.h"
#include "core/genesis.h"

namespace licenced::client {

using Json = nlohmann::json;

struct SubmitResult {
  std::string tx_id;
  uint64_t height = 0;
  uint32_t index = 0;
  Json result;  // the chaincode's result (object)
};

class Session {
 public:
  // Opens a channel to the node chosen by `g` (with --net --org: that org's
  // node). With `need_key`, also loads the signing key (--key, or the org's
  // admin key with --net --org).
  static CliResult<std::unique_ptr<Session>> Open(const GlobalOptions& g, bool need_key);

  // Runs a read-only chaincode query; the result JSON.
  CliResult<Json> Query(const std::string& method, const Json& args);

  // Signs and submits chaincode.method(args), waits for the commit. A
  // rejection by the chaincode is an error with exit code 1 whose message
  // names the reason code, the signer and what to do.
  CliResult<SubmitResult> Submit(const std::string& chaincode, const std::string& method,
                                 const Json& args);

  // The signer's identity as the chain sees it: "admin of market" or
  // "clerk NAME (roles) of police"; empty if unknown.
  std::string DescribeSigner();
  // The org of the signer (admin key or enrolled clerk), or "" if unknown.
  std::string SignerOrg();

  const NodeTarget& target() const { return target_; }
  const GlobalOptions& global() const { return g_; }
  bool has_key() const { return key_.has_value(); }
  const crypto::KeyPair& key() const { return *key_; }        // REQUIRES: has_key()
  std::string where() const;                                  // "market-0 (127.0.0.1:7101)"
  ::licenced::v1::ClientApi::Stub& stub() { return *stub_; }  // for streams

 private:
  Session() = default;
  CliResult<void> EnsureNetworkId();

  GlobalOptions g_;
  NodeTarget target_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<::licenced::v1::ClientApi::Stub> stub_;
  std::optional<crypto::KeyPair> key_;
  std::string network_id_;
  std::optional<Json> signer_;  // cached clerk/admin lookup
};

// The genesis for client-side work (sealing to orgs): --genesis FILE, else
// DIR/genesis.json with --net.
CliResult<Genesis> LoadGenesisFor(const GlobalOptions& g, const std::string& genesis_path);

// Reads a JSON object from a file; errors name the file and what to fix.
CliResult<Json> ReadJsonFile(const std::string& path, const std::string& what);

// A public key given as hex or as a file holding hex (e.g. FILE.pub): the
// lower-case hex.
CliResult<std::string> ParsePublicKeyArg(const std::string& arg, const std::string& what);

// "0e1d87f5...92fa": the short form of a hex key or hash in messages and
// tables (first 8 + last 4 characters; 12 or fewer: unchanged).
std::string MaskHex(const std::string& hex);

}  // namespace licenced::client
