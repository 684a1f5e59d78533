// Config validation: every bad field gives an error naming that field.
#include <catch2/catch.hpp>

#include <string>

#include "core/genesis.h"
#include "node/config.h"

using licenced::node::CheckAgainstGenesis;
using licenced::node::ParseConfig;

namespace {

std::string Valid() {
  return R"(
node_id = "market-0"
org = "market"
data_dir = "data"
genesis = "/abs/genesis.json"
log_level = "info"
[listen]
peer = "127.0.0.1:7001"
client = "127.0.0.1:7101"
http = "127.0.0.1:7201"
[keys]
validator_key = "validator.key"
tls_ca = "/abs/ca.pem"
tls_cert = "tls.pem"
tls_key = "tls-key.pem"
[consensus]
max_batch_txs = 2000
max_batch_wait_ms = 5
checkpoint_interval = 32
view_change_timeout_ms = 2000
)";
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

std::string ErrorOf(const std::string& text) {
  auto r = ParseConfig(text, "/base", /*check_files=*/false);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_CASE("valid config parses and resolves relative paths", "[node][config]") {
  auto r = ParseConfig(Valid(), "/base", false);
  REQUIRE(r.ok());
  CHECK(r->node_id == "market-0");
  CHECK(r->data_dir == "/base/data");
  CHECK(r->tls_ca == "/abs/ca.pem");
  CHECK(r->validator_key == "/base/validator.key");
  CHECK(r->listen_peer.port == 7001);
  CHECK(r->listen_client.ToString() == "127.0.0.1:7101");
  CHECK(r->max_batch_txs == 2000);
}

TEST_CASE("config errors name the field", "[node][config]") {
  CHECK_THAT(ErrorOf(Replace(Valid(), "node_id = \"market-0\"\n", "")),
             Catch::Contains("'node_id' is missing"));
  CHECK_THAT(ErrorOf(Replace(Valid(), "org = \"market\"", "org = 7")),
             Catch::Contains("'org' must be a string"));
  CHECK_THAT(ErrorOf(Replace(Valid(), "log_level = \"info\"", "log_level = \"loud\"")),
             Catch::Contains("'log_level'"));
  CHECK_THAT(ErrorOf(Replace(Valid(), "peer = \"127.0.0.1:7001\"", "peer = \"127.0.0.1\"")),
             Catch::Contains("'listen.peer' must be HOST:PORT"));
  CHECK_THAT(ErrorOf(Replace(Valid(), "client = \"127.0.0.1:7101\"", "client = \"h:70000\"")),
             Catch::Contains("'listen.client'"));
  CHECK_THAT(ErrorOf(Replace(Valid(), "max_batch_txs = 2000", "max_batch_txs = 0")),
             Catch::Contains("'consensus.max_batch_txs' must be between"));
  CHECK_THAT(ErrorOf(Replace(Valid(), "checkpoint_interval = 32", "checkpoint_interval = \"32\"")),
             Catch::Contains("'consensus.checkpoint_interval' must be an integer"));
  CHECK_THAT(ErrorOf(Replace(Valid(), "tls_key = \"tls-key.pem\"\n", "")),
             Catch::Contains("'keys.tls_key' is missing"));
  CHECK_THAT(ErrorOf(Replace(Valid(), "[consensus]", "typo = 1\n[consensus]")),
             Catch::Contains("'keys.typo' is unknown"));
  CHECK_THAT(ErrorOf(Replace(Valid(), "http = \"127.0.0.1:7201\"", "http = \"127.0.0.1:7101\"")),
             Catch::Contains("must be distinct"));
  CHECK_THAT(ErrorOf("node_id = [unterminated"), Catch::Contains("not valid TOML"));
  CHECK_THAT(ErrorOf(Valid() + "[bench]\nnull_mode = 1\n"),
             Catch::Contains("'bench.null_mode' must be true or false"));
  CHECK_THAT(ErrorOf(Valid() + "[bench]\nfast = true\n"),
             Catch::Contains("'bench.fast' is unknown"));
  auto nm = ParseConfig(Valid() + "[bench]\nnull_mode = true\n", "/base", false);
  REQUIRE(nm.ok());
  CHECK(nm->null_mode);
}

TEST_CASE("client certificates are off by default and configured in [listen]", "[node][config]") {
  auto d = ParseConfig(Valid(), "/base", false);
  REQUIRE(d.ok());
  CHECK_FALSE(d->client_auth.require_client_cert);
  CHECK(d->client_auth.client_ca.empty());
  const std::string http = "http = \"127.0.0.1:7201\"\n";
  auto on =
      ParseConfig(Replace(Valid(), http, http + "require_client_cert = true\n"), "/base", false);
  REQUIRE(on.ok());
  CHECK(on->client_auth.require_client_cert);
  CHECK(on->client_auth.client_ca.empty());  // the network CA
  auto own = ParseConfig(
      Replace(Valid(), http, http + "require_client_cert = true\nclient_ca = \"clerks-ca.pem\"\n"),
      "/base", false);
  REQUIRE(own.ok());
  CHECK(own->client_auth.client_ca == "/base/clerks-ca.pem");
  CHECK_THAT(ErrorOf(Replace(Valid(), http, http + "require_client_cert = \"yes\"\n")),
             Catch::Contains("'listen.require_client_cert' must be true or false"));
  CHECK_THAT(
      ErrorOf(Replace(Valid(), http, http + "client_ca = \"clerks-ca.pem\"\n")),
      Catch::Contains("'listen.client_ca' is set but listen.require_client_cert is not true"));
  CHECK_THAT(ErrorOf(Replace(Valid(), http, http + "client_cert = true\n")),
             Catch::Contains("'listen.client_cert' is unknown"));
}

TEST_CASE("admission_max_pending defaults to half a block and is validated", "[node][config]") {
  auto d =
      ParseConfig(Replace(Valid(), "max_batch_txs = 2000", "max_batch_txs = 500"), "/base", false);
  REQUIRE(d.ok());
  CHECK(d->admission_max_pending == 250);
  auto set = ParseConfig(Valid() + "[limits]\nadmission_max_pending = 64\n", "/base", false);
  REQUIRE(set.ok());
  CHECK(set->admission_max_pending == 64);
  CHECK(set->mempool_max == 20000);
  CHECK_THAT(ErrorOf(Valid() + "[limits]\nadmission_max_pending = 0\n"),
             Catch::Contains("'limits.admission_max_pending' must be between 1 and"));
  CHECK_THAT(ErrorOf(Valid() + "[limits]\nadmission_max_pending = \"many\"\n"),
             Catch::Contains("'limits.admission_max_pending' must be an integer"));
}

TEST_CASE("config with missing files names the file field", "[node][config]") {
  auto r = ParseConfig(Valid(), "/nonexistent-dir", /*check_files=*/true);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("'genesis'"));
  CHECK_THAT(r.status().message(), Catch::Contains("does not exist"));
}

TEST_CASE("config is cross-checked against genesis", "[node][config]") {
  auto net = licenced::MakeDevNetwork();
  auto c = ParseConfig(Valid(), "/base", false);
  REQUIRE(c.ok());
  c->node_id = net.genesis.validators[0].name;
  c->org = net.genesis.validators[0].org;
  c->checkpoint_interval = net.genesis.consensus.checkpoint_interval;
  CHECK(CheckAgainstGenesis(*c, net.genesis).ok());

  auto bad = *c;
  bad.node_id = "nobody-0";
  CHECK_THAT(CheckAgainstGenesis(bad, net.genesis).message(),
             Catch::Contains("'node_id' = 'nobody-0' is not a validator"));
  bad = *c;
  bad.org = "health";
  CHECK_THAT(CheckAgainstGenesis(bad, net.genesis).message(), Catch::Contains("'org'"));
  bad = *c;
  bad.checkpoint_interval += 1;
  CHECK_THAT(CheckAgainstGenesis(bad, net.genesis).message(),
             Catch::Contains("'consensus.checkpoint_interval'"));
}

TEST_CASE("host:port parsing round-trips and rejects odd hosts", "[node][config]") {
  using licenced::node::ParseHostPort;
  for (const char* ok :
       {"127.0.0.1:7001", "node-1.example:80", "[::1]:7001", "[::ffff:10.0.0.1]:9"}) {
    auto hp = ParseHostPort(ok);
    REQUIRE(hp.ok());
    auto again = ParseHostPort(hp->ToString());
    REQUIRE(again.ok());
    CHECK(again->host == hp->host);
    CHECK(again->port == hp->port);
  }
  for (const char* bad :
       {"[[x]:35", "[]:1", "[x]:1", "a b:1", "::1:80", "host:0", "host:", ":80"}) {
    INFO(bad);
    CHECK_FALSE(ParseHostPort(bad).ok());
  }
  CHECK_FALSE(ParseHostPort(std::string("a\0b:1", 5)).ok());
}

TEST_CASE("the [credentials] table: issuer key and public URL", "[node][config]") {
  auto d = ParseConfig(Valid(), "/base", false);
  REQUIRE(d.ok());
  CHECK(d->credential_key.empty());
  CHECK(d->public_url.empty());
  auto c = ParseConfig(
      Valid() + "[credentials]\nissuer_key = \"admin.key\"\npublic_url = \"https://x.example/\"\n",
      "/base", false);
  REQUIRE(c.ok());
  CHECK(c->credential_key == "/base/admin.key");
  CHECK(c->public_url == "https://x.example");
  CHECK_THAT(ErrorOf(Valid() + "[credentials]\npublic_url = \"ftp://x\"\n"),
             Catch::Contains("'credentials.public_url' must be an http:// or https:// URL"));
  CHECK_THAT(ErrorOf(Valid() + "[credentials]\nkey = \"admin.key\"\n"),
             Catch::Contains("'credentials.key' is unknown"));
}
