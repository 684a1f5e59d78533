// licenced: one bureau's node. Usage: licenced --config FILE [--log-level L]
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "node/byzantine.h"
#include "node/config.h"
#include "node/node.h"

// jemalloc's options, read when it initialises (MALLOC_CONF in the
// environment still overrides them). Freed dirty pages go back to the kernel
// after 1 s instead of 10: with the flows workload that kept the nodes' peak
// RSS about 10 MiB lower at no measurable CPU cost (docs/performance.md
// "Memory"). glibc's malloc ignores the symbol.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";
}

int main(int argc, char** argv) {
  // The daemon's allocator is jemalloc (node/CMakeLists.txt). Under the
  // sanitizers it is glibc's, which gives each thread that allocates its own
  // arena (up to 8 x cores); two arenas keep its peak RSS down. A no-op for
  // jemalloc.
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{"licenced: a permissioned PBFT ledger node for government digital licences"};
  std::string config_path;
  std::string log_level;
  app.add_option("--config,-c", config_path, "node config file (TOML)")->required();
  app.add_option("--log-level", log_level,
                 "trace|debug|info|warn|error|critical|off (overrides log_level in the config)");
  std::string test_byzantine;
  app.add_option("--test-byzantine", test_byzantine,
                 "TEST ONLY: behave as a Byzantine validator (equivocate,double-vote,absurd-view,"
                 "flood or all); needs LICENCED_ALLOW_BYZANTINE=1 in the environment");
  CLI11_PARSE(app, argc, argv);
  if (!test_byzantine.empty()) {
    licenced::Status allowed = licenced::node::CheckByzantineAllowed();
    if (allowed.ok()) allowed = licenced::node::ParseByzantineModes(test_byzantine).status();
    if (!allowed.ok()) {
      std::fprintf(stderr, "licenced: %s\n", allowed.message().c_str());
      return 2;
    }
  }

  // Block termination signals and SIGHUP in every thread; one thread waits
  // for them (SIGHUP: re-read the TLS certificate and key, node/tls_rotation.h).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto logger = spdlog::stderr_color_mt("licenced");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v");
  spdlog::flush_every(std::chrono::seconds(1));
  spdlog::flush_on(spdlog::level::warn);

  if (!log_level.empty() && !licenced::node::IsValidLogLevel(log_level)) {
    std::fprintf(stderr,
                 "licenced: --log-level must be one of trace, debug, info, warn, error, critical, "
                 "off (got '%s')\n",
                 log_level.c_str());
    return 2;
  }
  auto config = licenced::node::LoadConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "licenced: bad config: %s\n", config.status().message().c_str());
    return 2;
  }
  config->test_byzantine = test_byzantine;
  spdlog::set_level(spdlog::level::from_str(log_level.empty() ? config->log_level : log_level));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [" + config->node_id + "] %v");

  auto node = licenced::node::Node::Open(*config);
  if (!node.ok()) {
    std::fprintf(stderr, "licenced: cannot start: %s\n", node.status().ToString().c_str());
    spdlog::critical("cannot start: {}", node.status().ToString());
    return 1;
  }
  licenced::Status s = (*node)->Start();
  if (!s.ok()) {
    std::fprintf(stderr, "licenced: cannot start: %s\n", s.ToString().c_str());
    spdlog::critical("cannot start: {}", s.ToString());
    (*node)->Shutdown();
    return 1;
  }
  licenced::node::Node* n = node->get();
  std::thread signal_thread([&signals, n] {
    for (;;) {
      int sig = 0;
      sigwait(&signals, &sig);
      if (sig == SIGHUP) {
        (void)n->ReloadTls();  // logged either way; a refusal changes nothing
        continue;
      }
      spdlog::info("received signal {}", sig);
      n->RequestShutdown();
      return;
    }
  });
  signal_thread.detach();
  n->Wait();
  n->Shutdown();
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}
