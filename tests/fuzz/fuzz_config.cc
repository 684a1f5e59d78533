// Fuzz target: node/config.h ParseConfig (the node's TOML file) and
// ParseHostPort. Only node/config.cc is compiled in (with toml++), not the
// gRPC/RocksDB node library. Invariants: never crashes or throws; a config
// that parses has every required field set, a known log level, absolute
// paths and non-zero ports; a host:port that parses re-parses from its
// ToString() to the same value.
#include <filesystem>
#include <string_view>

#include "fuzz_common.h"
#include "node/config.h"

using namespace licenced;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = node::ParseConfig(text, "/nonexistent/fuzz", /*check_files=*/false);
  if (c.ok()) {
    FUZZ_CHECK(!c->node_id.empty() && !c->org.empty(), "config: empty node_id/org accepted");
    FUZZ_CHECK(node::IsValidLogLevel(c->log_level), "config: unknown log level accepted");
    for (const std::string* p : {&c->data_dir, &c->genesis_path, &c->validator_key, &c->tls_ca,
                                 &c->tls_cert, &c->tls_key}) {
      FUZZ_CHECK(std::filesystem::path(*p).is_absolute(), "config: relative path kept: " + *p);
    }
    for (const node::HostPort* hp : {&c->listen_peer, &c->listen_client, &c->listen_http}) {
      FUZZ_CHECK(hp->port != 0 && !hp->host.empty(), "config: listen address without host/port");
    }
    FUZZ_CHECK(c->max_batch_txs > 0, "config: max_batch_txs 0 accepted");
  }
  if (size <= 256) {
    auto hp = node::ParseHostPort(text);
    if (hp.ok()) {
      auto again = node::ParseHostPort(hp->ToString());
      FUZZ_CHECK(again.ok() && again->host == hp->host && again->port == hp->port,
                 "HostPort: ToString() does not re-parse to the same value");
    }
  }
  return 0;
}
