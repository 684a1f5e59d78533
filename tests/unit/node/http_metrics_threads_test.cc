// HttpServer (node/http_server.h) serving Metrics (node/metrics.h) to
// concurrent scrapers while other threads update the counters and the
// health flips: every scrape is a complete exposition, counters never go
// backwards, and the last scrape shows exactly what was counted. Label tsan.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "node/http_server.h"
#include "node/metrics.h"
#include "tests/unit/node/threads_test_util.h"

namespace licenced::node {
namespace {

using testing::FailureLog;

// One HTTP/1.1 GET on a fresh connection; the whole response ("" on error).
std::string Get(uint16_t port, const std::string& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, n);
    }
  }
  ::close(fd);
  return out;
}

// The value of the sample line `name value`, or -1.
double Sample(const std::string& body, const std::string& name) {
  const std::string needle = "\n" + name + " ";
  size_t at = body.find(needle);
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + needle.size()));
}

TEST_CASE("threads: /metrics scrapes during concurrent updates are whole and monotonic",
          "[threads][http]") {
  Metrics metrics;
  std::atomic<bool> healthy{true};
  HttpServer server(
      HostPort{"127.0.0.1", 0},
      HttpServer::Handlers{[&] { return metrics.RenderPrometheus(); },
                           [&] { return healthy.load() ? std::string() : std::string("halted"); },
                           {}});
  REQUIRE(server.Start().ok());
  const uint16_t port = server.bound_port();
  REQUIRE(port != 0);

  constexpr int kUpdaters = 3;
  constexpr int kUpdates = 400;
  constexpr int kScrapers = 3;
  std::atomic<int> updaters_done{0};
  std::atomic<int> scrapes{0};
  std::atomic<int> health_answers{0};
  FailureLog failures;
  std::vector<std::thread> threads;
  for (int u = 0; u < kUpdaters; ++u) {
    threads.emplace_back([&, u] {
      for (int i = 0; i < kUpdates; ++i) {
        // Paced by the scrapers, so that scrapes interleave with the updates.
        if (i % 40 == 0) testing::WaitFor([&] { return scrapes.load() >= i / 40; });
        metrics.committed_transactions.fetch_add(1);
        metrics.submitted_transactions.fetch_add(2);
        metrics.height.store(u * kUpdates + i);
        metrics.commit_latency.Observe(0.001 * (i % 50));
        if (u == 0 && i % 100 == 0) healthy = !healthy.load();
      }
      updaters_done.fetch_add(1);
    });
  }
  for (int s = 0; s < kScrapers; ++s) {
    threads.emplace_back([&] {
      double last_committed = 0;
      double last_count = 0;
      while (updaters_done.load() < kUpdaters) {
        std::string res = Get(port, "/metrics");
        if (res.rfind("HTTP/1.1 200 OK", 0) != 0) {
          failures.Add("scrape did not answer 200: " + res.substr(0, 40));
          continue;
        }
        const double committed = Sample(res, "licenced_committed_transactions_total");
        const double count = Sample(res, "licenced_commit_latency_seconds_count");
        if (committed < 0 || count < 0 ||
            Sample(res, "licenced_peer_messages_rejected_total") < 0) {
          failures.Add("scrape misses a metric");
        }
        if (committed < last_committed || count < last_count) {
          failures.Add("a counter went backwards between scrapes");
        }
        if (committed > kUpdaters * kUpdates) failures.Add("counter above what was counted");
        last_committed = committed;
        last_count = count;
        scrapes.fetch_add(1);
        std::string health = Get(port, "/healthz");
        if (health.rfind("HTTP/1.1 200 OK", 0) == 0 || health.rfind("HTTP/1.1 503", 0) == 0) {
          health_answers.fetch_add(1);
        } else {
          failures.Add("healthz answered neither 200 nor 503");
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures.All() == "");
  CHECK(scrapes.load() > 0);
  CHECK(health_answers.load() == scrapes.load());

  const std::string last = Get(port, "/metrics");
  CHECK(Sample(last, "licenced_committed_transactions_total") == kUpdaters * kUpdates);
  CHECK(Sample(last, "licenced_submitted_transactions_total") == 2 * kUpdaters * kUpdates);
  CHECK(Sample(last, "licenced_commit_latency_seconds_count") == kUpdaters * kUpdates);
  CHECK(last.find("licenced_commit_latency_seconds_bucket{le=\"+Inf\"} " +
                  std::to_string(kUpdaters * kUpdates) + "\n") != std::string::npos);
  server.Stop();
}

TEST_CASE("threads: HttpServer stops while scrapers are connecting", "[threads][http]") {
  Metrics metrics;
  HttpServer server(
      HostPort{"127.0.0.1", 0},
      HttpServer::Handlers{
          [&] { return metrics.RenderPrometheus(); }, [] { return std::string(); }, {}});
  REQUIRE(server.Start().ok());
  const uint16_t port = server.bound_port();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::vector<std::thread> scrapers;
  for (int s = 0; s < 3; ++s) {
    scrapers.emplace_back([&] {
      while (!stop.load()) {
        if (Get(port, "/metrics").rfind("HTTP/1.1 200 OK", 0) == 0) ok.fetch_add(1);
      }
    });
  }
  REQUIRE(testing::WaitFor([&] { return ok.load() >= 20; }));
  server.Stop();  // in-flight sessions are abandoned, not answered half
  const int at_stop = ok.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop = true;
  for (auto& t : scrapers) t.join();
  CHECK(ok.load() <= at_stop + 3);  // at most one answer per scraper was already on the wire
  CHECK(Get(port, "/metrics") == "");
}

}  // namespace
}  // namespace licenced::node
