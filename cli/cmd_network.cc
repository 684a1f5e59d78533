// licencectl network generate: a fresh network directory (cli/network_gen.h).
#include <iostream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/network_gen.h"
#include "client/files.h"

namespace licenced::cli {
using client::ReadPassphraseFile;

namespace {

struct GenerateOptions {
  std::string dir;
  std::vector<std::string> orgs{"market", "police", "social", "tax"};
  std::vector<std::string> members{"health", "bank"};
  int base_port = 0;
  std::string host = "127.0.0.1";
  std::string network_id = "licenced-local";
  uint64_t genesis_time_ms = 0;
  std::string passphrase_file;
  uint64_t checkpoint_interval = 32;
  uint64_t watermark_window = 64;
  uint64_t order_ahead_window = 4;
  uint32_t max_batch_txs = 2000;
  uint32_t max_batch_wait_ms = 5;
  uint32_t view_change_timeout_ms = 2000;
  bool no_members = false;
  std::vector<std::string> advertise;  // ORG=HOST:PORT
};

CommandResult RunGenerate(const GlobalOptions& g, const GenerateOptions& o) {
  NetworkSpec spec;
  spec.dir = o.dir;
  spec.validator_orgs = o.orgs;
  spec.member_orgs = o.no_members ? std::vector<std::string>{} : o.members;
  if (o.base_port != 0) {
    if (o.base_port < 1024 || o.base_port > 65535) {
      return CliError{kExitUsage,
                      fmt::format("--base-port {} is out of range; use 1024-65000", o.base_port)};
    }
    spec.base_port = static_cast<uint16_t>(o.base_port);
  }
  spec.host = o.host;
  for (const auto& a : o.advertise) {
    auto eq = a.find('=');
    if (eq == std::string::npos) {
      return CliError{kExitUsage, fmt::format("--advertise {}: expected ORG=HOST:PORT", a)};
    }
    spec.advertise[a.substr(0, eq)] = a.substr(eq + 1);
  }
  spec.network_id = o.network_id;
  spec.genesis_time_ms = o.genesis_time_ms;
  spec.checkpoint_interval = o.checkpoint_interval;
  spec.watermark_window = o.watermark_window;
  spec.order_ahead_window = o.order_ahead_window;
  spec.max_batch_txs = o.max_batch_txs;
  spec.max_batch_wait_ms = o.max_batch_wait_ms;
  spec.view_change_timeout_ms = o.view_change_timeout_ms;
  if (!o.passphrase_file.empty()) {
    CLI_ASSIGN_OR_RETURN(spec.passphrase, Lift(ReadPassphraseFile(o.passphrase_file), kExitUsage));
  }
  CLI_ASSIGN_OR_RETURN(const auto net, Lift(GenerateNetwork(spec), kExitUsage));
  if (g.json) {
    nlohmann::ordered_json j;
    j["dir"] = net.dir;
    j["genesis"] = net.genesis_path;
    j["nodes"] = nlohmann::ordered_json::array();
    for (const auto& n : net.nodes) {
      j["nodes"].push_back({{"org", n.org},
                            {"node_id", n.node_id},
                            {"peer", n.peer_address},
                            {"client", n.client_address},
                            {"http", n.http_address},
                            {"config", n.config_path}});
    }
    j["members"] = net.member_orgs;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("network written to {}\ngenesis: {}\n", net.dir, net.genesis_path);
    std::cout << fmt::format("{:<10} {:<12} {:<22} {:<22} {}\n", "org", "node", "peer", "client",
                             "http");
    for (const auto& n : net.nodes) {
      std::cout << fmt::format("{:<10} {:<12} {:<22} {:<22} {}\n", n.org, n.node_id, n.peer_address,
                               n.client_address, n.http_address);
    }
    for (const auto& m : net.member_orgs) {
      std::cout << fmt::format("{:<10} (member: admin and encryption keys only)\n", m);
    }
    std::cout << "next: deploy/gen-tls.sh " << net.dir
              << " makes the TLS CA and node certificates\n";
  }
  return kExitOk;
}

}  // namespace

void AddNetworkCommands(CLI::App& app, CliContext& ctx) {
  auto* network = app.add_subcommand("network", "create network directories");
  network->require_subcommand(1);
  auto o = std::make_shared<GenerateOptions>();
  auto* gen = network->add_subcommand(
      "generate", "write genesis.json, keys and node configs for a new network into --dir");
  gen->add_option("--dir", o->dir, "output directory (must not hold a genesis.json)")->required();
  gen->add_option("--orgs", o->orgs, "validator orgs, comma separated")
      ->delimiter(',')
      ->capture_default_str();
  gen->add_option("--members", o->members, "member orgs (no validator), comma separated")
      ->delimiter(',')
      ->capture_default_str();
  gen->add_flag("--no-members", o->no_members, "generate no member orgs");
  gen->add_option("--base-port", o->base_port,
                  "peer ports P.., client P+100.., http P+200.. (default: free ports)");
  gen->add_option("--host", o->host, "IPv4 address the nodes listen on")->capture_default_str();
  gen->add_option("--advertise", o->advertise,
                  "ORG=HOST:PORT: the peer address other validators dial (genesis), repeatable")
      ->delimiter(',');
  gen->add_option("--network-id", o->network_id, "network id in genesis")->capture_default_str();
  gen->add_option("--genesis-time-ms", o->genesis_time_ms, "genesis time (default: now)");
  gen->add_option("--passphrase-file", o->passphrase_file, "encrypt the generated key files");
  gen->add_option("--checkpoint-interval", o->checkpoint_interval)->capture_default_str();
  gen->add_option("--watermark-window", o->watermark_window)->capture_default_str();
  gen->add_option("--order-ahead-window", o->order_ahead_window,
                  "Blocks ordered ahead of execution (genesis consensus.order_ahead_window, "
                  "1..watermark window): header h carries the state after block h-W; proofs "
                  "of format v3 prove the state after a block at once whatever W")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000000}));
  gen->add_option("--max-batch-txs", o->max_batch_txs)->capture_default_str();
  gen->add_option("--max-batch-wait-ms", o->max_batch_wait_ms)->capture_default_str();
  gen->add_option("--view-change-timeout-ms", o->view_change_timeout_ms)->capture_default_str();
  gen->callback([&ctx, o] { ctx.run = [&ctx, o] { return RunGenerate(ctx.global, *o); }; });
}

}  // namespace licenced::cli
