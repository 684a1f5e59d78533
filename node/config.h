// Node configuration: the TOML file each bureau's licenced process reads at
// start (docs/api.md, deploy/README.md). Parsing validates every field
// and names the offending one in the error; CheckAgainstGenesis() then checks
// the config is consistent with the network's genesis.
//
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/genesis.h"
#include "core/status.h"

namespace licenced::node {

// "host:port" split; host may be a name, IPv4 or [IPv6].
struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const;  // host:port as given
};
Result<HostPort> ParseHostPort(std::string_view text);

// Who may call the client API. Off by default: every transaction carries the
// signature of an enrolled clerk or admin, which is the authentication the
// ledger relies on; a client certificate additionally keeps anyone without
// one from reading the ledger or loading the node.
struct ClientAuthConfig {
  bool require_client_cert = false;  // listen.require_client_cert
  std::string client_ca;             // listen.client_ca; empty = keys.tls_ca
};

struct NodeConfig {
  std::string node_id;  // validator name in genesis
  std::string org;
  std::string data_dir;  // absolute (relative paths resolve against the config file's dir)
  std::string genesis_path;
  std::string log_level = "info";  // trace|debug|info|warn|error|critical|off

  HostPort listen_peer;    // PeerApi, mutual TLS
  HostPort listen_client;  // ClientApi, TLS
  ClientAuthConfig client_auth;
  HostPort listen_http;  // /metrics, /healthz

  std::string validator_key;  // Ed25519 key file (core/crypto.h format)
  // Optional [credentials] (docs/credentials.md): an admin key of `org` (its
  // genesis admin_keys) that signs the org's status list credentials served
  // on the HTTP listener, and the base URL they are published under
  // (default "http://" + listen.http).
  std::string credential_key;
  std::string public_url;
  // [credentials] publish_status_lists: with issuer_key, keep the org's lists
  // current on the ledger so that every node serves them
  // (node/status_list_publisher.h).
  bool publish_status_lists = true;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;

  uint32_t max_batch_txs = 2000;
  uint64_t max_batch_wait_ms = 5;
  uint64_t checkpoint_interval = 32;
  uint64_t view_change_timeout_ms = 2000;
  // Optional [consensus] keys.
  uint64_t watermark_window = 0;  // 0 = take genesis consensus.watermark_window
  uint64_t max_clock_skew_ms = 5000;

  // Optional [limits] keys.
  uint32_t max_message_bytes = 16 * 1024 * 1024;  // gRPC max message size
  uint32_t peer_queue_messages = 10000;           // bounded outbound queue per peer
  uint32_t mempool_max = 20000;                   // pending txs before UNAVAILABLE (hard cap)
  // Client submissions are answered RESOURCE_EXHAUSTED ("retry later") while
  // this many txs are pending, so that what is admitted commits well within a
  // client's timeout and memory stays bounded. Default: max_batch_txs / 2
  // (measured: same throughput as 3 blocks' worth, peak RSS 210 instead of
  // 287-306 MiB; docs/performance.md).
  uint32_t admission_max_pending = 1000;
  uint32_t verify_threads = 1;          // tx signature worker pool
  uint32_t verified_cache_max = 65536;  // verified tx signatures remembered
  uint32_t db_cache_mib = 32;           // RocksDB block cache
  uint32_t db_write_buffer_mib = 32;    // RocksDB memtables, all together

  // Optional [bench] keys. null_mode: benchmark-only (node/null_mode.h): no
  // client signature checks, no chaincode, no fsync. Never for a real network.
  bool null_mode = false;

  // Test only, never read from the TOML file: set by licenced's
  // --test-byzantine flag (node/byzantine.h), which also needs
  // LICENCED_ALLOW_BYZANTINE=1. Empty = an honest node.
  std::string test_byzantine;
};

// Parses TOML text. `base_dir` resolves relative paths. Does not touch the
// filesystem except for checking that referenced files exist when
// `check_files` is true.
Result<NodeConfig> ParseConfig(std::string_view toml_text, const std::string& base_dir,
                               bool check_files = true);
// Reads and parses a config file.
Result<NodeConfig> LoadConfig(const std::string& path);

// node_id names a validator in genesis, org matches that validator's org,
// consensus parameters agree with genesis.
Status CheckAgainstGenesis(const NodeConfig& config, const Genesis& genesis);

// The spdlog level names accepted in log_level and --log-level.
bool IsValidLogLevel(std::string_view level);

}  // namespace licenced::node
