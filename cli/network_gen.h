// Generation of a local or multi-host licenced network: genesis file, per-org
// keys and per-validator node configs (docs/cli.md, "network generate").
//
// The output directory layout (deploy/README.md):
//   DIR/genesis.json
//   DIR/<org>/admin.key (+ .pub)     org admin signing key (Ed25519)
//   DIR/<org>/encryption.key (+.pub) X25519 key: a key file whose seed feeds
//                                    crypto::BoxKeyPair::FromSeed; the .pub file
//                                    holds the hex X25519 public key
//   DIR/<org>/validator.key (+.pub)  validator orgs only
//   DIR/<org>/node.toml              validator orgs only
//   DIR/<org>/data/                  validator orgs only (empty)
// TLS files (DIR/ca.pem, DIR/<org>/tls.pem, tls-key.pem) are made by
// deploy/gen-tls.sh; node.toml already names them.
//
// Not thread-safe (writes files); call from one thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace licenced::cli {

struct NetworkSpec {
  std::string dir;  // created if missing; must not hold genesis.json
  std::vector<std::string> validator_orgs{"market", "police", "social", "tax"};
  std::vector<std::string> member_orgs{"health", "bank"};
  std::optional<uint16_t> base_port;  // peer P+i, client P+100+i, http P+200+i
  std::string host = "127.0.0.1";     // listen host; also the advertised host by default
  // org -> HOST:PORT other validators dial (genesis "address"); default: the
  // peer listen address. For multi-host networks.
  std::map<std::string, std::string> advertise;
  std::string network_id = "licenced-local";
  uint64_t genesis_time_ms = 0;           // 0 = now
  std::optional<std::string> passphrase;  // encrypts the generated key files
  uint64_t checkpoint_interval = 32;
  uint64_t watermark_window = 64;
  uint64_t order_ahead_window = 4;
  uint32_t max_batch_txs = 2000;
  uint32_t max_batch_wait_ms = 5;
  uint32_t view_change_timeout_ms = 2000;
};

struct GeneratedNode {
  std::string org;
  std::string node_id;
  std::string peer_address;
  std::string client_address;
  std::string http_address;
  std::string config_path;
};

struct GeneratedNetwork {
  std::string dir;
  std::string genesis_path;
  std::vector<GeneratedNode> nodes;
  std::vector<std::string> member_orgs;
};

// Writes a fresh network into spec.dir. Fails (without overwriting anything)
// if spec.dir already holds a genesis.json, an org id is repeated or invalid,
// or the ports are not free.
Result<GeneratedNetwork> GenerateNetwork(const NetworkSpec& spec);

// Picks `count` distinct free TCP ports on `host` (binds port 0, keeping all
// sockets open until every port is chosen).
Result<std::vector<uint16_t>> PickFreePorts(const std::string& host, size_t count);

// True if a TCP listener could bind host:port right now.
bool PortIsFree(const std::string& host, uint16_t port);

}  // namespace licenced::cli
