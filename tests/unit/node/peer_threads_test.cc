// PeerLink (node/rpc/peer_link.h) to a real PeerService (node/rpc/peer_service.h)
// over mutual TLS on 127.0.0.1, with certificates made by openssl for the
// test: several threads enqueue while the server is stopped and restarted,
// and FetchBlocks runs alongside. Delivery is in order per sender and
// nothing is lost below the queue bound while the peer is up; while it is
// down, the queue keeps exactly its newest `queue_capacity` messages and
// counts the rest as dropped. Label tsan.
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "core/mutex.h"
#include "node/metrics.h"
#include "node/rpc/peer_link.h"
#include "node/rpc/peer_service.h"
#include "node/rpc/tls.h"
#include "tests/unit/node/threads_test_util.h"

namespace licenced::node {
namespace {

using testing::FailureLog;
using testing::TestPki;
using testing::WaitFor;

// A message: [signer index][sender thread][sequence number, 4 bytes BE].
Bytes Message(uint8_t signer, uint8_t sender, uint32_t seq) {
  return Bytes{signer,
               sender,
               static_cast<uint8_t>(seq >> 24),
               static_cast<uint8_t>(seq >> 16),
               static_cast<uint8_t>(seq >> 8),
               static_cast<uint8_t>(seq)};
}
uint32_t SeqOf(const Bytes& m) {
  return (uint32_t{m[2]} << 24) | (uint32_t{m[3]} << 16) | (uint32_t{m[4]} << 8) | m[5];
}

// What the server side received, per sender thread, in arrival order.
class Inbox {
 public:
  void Add(uint32_t from, Bytes m) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (from != 0 || m.size() != 6) {
      ++malformed_;
      return;
    }
    by_sender_[m[1]].push_back(SeqOf(m));
    ++total_;
  }
  size_t total() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return total_;
  }
  std::map<uint8_t, std::vector<uint32_t>> by_sender() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return by_sender_;
  }
  size_t malformed() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return malformed_;
  }

 private:
  mutable Mutex mu_;
  std::map<uint8_t, std::vector<uint32_t>> by_sender_ GUARDED_BY(mu_);
  size_t total_ GUARDED_BY(mu_) = 0;
  size_t malformed_ GUARDED_BY(mu_) = 0;
};

constexpr uint64_t kChainHeight = 30;

// Validator v1's PeerApi, (re)startable on one port.
class PeerServer {
 public:
  PeerServer(const TlsFiles& tls, Inbox* inbox, Metrics* metrics)
      : tls_(tls), inbox_(inbox), metrics_(metrics) {}
  ~PeerServer() { Stop(); }

  // port 0: pick one (the first start); then the same port again.
  void Start() {
    PeerService::Callbacks cb;
    cb.validator_by_name = [](const std::string& name) -> std::optional<uint32_t> {
      if (name == "v0") return 0;
      if (name == "v1") return 1;
      return std::nullopt;
    };
    cb.signer_of = [](ByteView m) -> std::optional<uint32_t> {
      if (m.empty()) return std::nullopt;
      return m[0];
    };
    cb.on_message = [this](uint32_t from, Bytes m) { inbox_->Add(from, std::move(m)); };
    cb.block_at = [](uint64_t h) -> Result<std::optional<std::pair<Bytes, Bytes>>> {
      if (h > kChainHeight) return std::optional<std::pair<Bytes, Bytes>>();
      return std::optional<std::pair<Bytes, Bytes>>(std::make_pair(
          ToBytes("block-" + std::to_string(h)), ToBytes("cert-" + std::to_string(h))));
    };
    // Even heights have a state certificate stored.
    cb.state_certificate_at = [](uint64_t h) -> std::optional<Bytes> {
      if (h % 2 != 0) return std::nullopt;
      return ToBytes("state-" + std::to_string(h));
    };
    service_ = std::make_unique<PeerService>(1, std::move(cb), metrics_);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port_), PeerServerCredentials(tls_),
                             &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    REQUIRE(server_ != nullptr);
    REQUIRE(port_ != 0);
  }
  void Stop() {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    server_->Wait();
    server_.reset();
    service_.reset();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  TlsFiles tls_;
  Inbox* inbox_;
  Metrics* metrics_;
  int port_ = 0;
  std::unique_ptr<PeerService> service_;
  std::unique_ptr<grpc::Server> server_;
};

// Received sequence numbers must be strictly increasing (in order, no
// duplicates) for every sender.
std::string OrderProblems(const std::map<uint8_t, std::vector<uint32_t>>& by_sender) {
  std::string out;
  for (const auto& [sender, seqs] : by_sender) {
    for (size_t i = 1; i < seqs.size(); ++i) {
      if (seqs[i] <= seqs[i - 1]) {
        out += "sender " + std::to_string(sender) + ": " + std::to_string(seqs[i]) + " after " +
               std::to_string(seqs[i - 1]) + "\n";
        break;
      }
    }
  }
  return out;
}

TEST_CASE("threads: PeerLink delivers every message in order per sender over mutual TLS",
          "[threads][peer]") {
  TestPki pki({"v0", "v1"});
  Inbox inbox;
  Metrics server_metrics;
  Metrics link_metrics;
  PeerServer server(pki.For("v1"), &inbox, &server_metrics);
  server.Start();
  PeerLink link(PeerLink::Options{.name = "v1", .address = server.address()}, pki.For("v0"),
                &link_metrics);
  link.Start();

  constexpr int kSenders = 4;
  constexpr uint32_t kPerSender = 300;
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (uint32_t i = 0; i < kPerSender; ++i) link.Enqueue(Message(0, s, i));
    });
  }
  // Meanwhile, state transfer over the same link.
  FailureLog failures;
  std::thread fetcher([&] {
    for (int round = 0; round < 5; ++round) {
      auto blocks = link.FetchBlocks(1 + round, 100, 20000);
      if (!blocks.ok()) {
        failures.Add("FetchBlocks failed: " + blocks.status().ToString());
        continue;
      }
      if (blocks->size() != kChainHeight - round)
        failures.Add("FetchBlocks returned a short range");
      for (size_t i = 0; i < blocks->size(); ++i) {
        const uint64_t h = 1 + round + i;
        if ((*blocks)[i].block != ToBytes("block-" + std::to_string(h))) {
          failures.Add("FetchBlocks out of order");
        }
        const Bytes want_state = h % 2 == 0 ? ToBytes("state-" + std::to_string(h)) : Bytes();
        if ((*blocks)[i].state_certificate != want_state) {
          failures.Add("FetchBlocks lost or misplaced a state certificate");
        }
      }
    }
  });
  for (auto& t : senders) t.join();
  fetcher.join();
  REQUIRE(WaitFor([&] { return inbox.total() == kSenders * kPerSender; }));
  CHECK(failures.All() == "");
  auto got = inbox.by_sender();
  CHECK(OrderProblems(got) == "");
  for (int s = 0; s < kSenders; ++s) CHECK(got[s].size() == kPerSender);
  CHECK(inbox.malformed() == 0);
  CHECK(link.dropped() == 0);
  CHECK(link.connected());
  CHECK(link_metrics.peers_connected.load() == 1);
  CHECK(server_metrics.peer_messages_rejected.load() == 0);

  // A message signed by someone other than the connected peer is rejected.
  link.Enqueue(Message(1, 9, 0));
  link.Enqueue(Message(0, 9, 1));
  REQUIRE(WaitFor([&] { return inbox.total() == kSenders * kPerSender + 1; }));
  CHECK(server_metrics.peer_messages_rejected.load() == 1);
  link.Stop();
  CHECK_FALSE(link.connected());
  CHECK(link_metrics.peers_connected.load() == 0);
}

TEST_CASE("threads: PeerLink keeps order across server restarts and drops only the oldest",
          "[threads][peer]") {
  TestPki pki({"v0", "v1"});
  Inbox inbox;
  Metrics server_metrics;
  Metrics link_metrics;
  PeerServer server(pki.For("v1"), &inbox, &server_metrics);
  server.Start();
  constexpr size_t kCapacity = 64;
  PeerLink link(
      PeerLink::Options{.name = "v1", .address = server.address(), .queue_capacity = kCapacity},
      pki.For("v0"), &link_metrics);
  link.Start();
  REQUIRE(WaitFor([&] { return link.connected(); }));

  // Phase 1: senders run while the server goes down and comes back twice.
  // Messages in flight on a dying stream may be lost; order never breaks.
  constexpr int kSenders = 3;
  std::atomic<bool> sending{true};
  std::atomic<uint32_t> sent[kSenders] = {};
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      while (sending.load()) {
        link.Enqueue(Message(0, 10 + s, sent[s].fetch_add(1)));
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
  }
  for (int restart = 0; restart < 2; ++restart) {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    server.Stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.Start();
    REQUIRE(WaitFor([&] { return link.connected(); }));
  }
  sending = false;
  for (auto& t : senders) t.join();
  // A marker per sender after the last restart: everything before it that was
  // still queued arrives, and the marker itself arrives.
  const uint32_t kMarker = 1u << 30;
  for (int s = 0; s < kSenders; ++s) link.Enqueue(Message(0, 10 + s, kMarker));
  REQUIRE(WaitFor([&] {
    auto got = inbox.by_sender();
    for (int s = 0; s < kSenders; ++s) {
      if (got[10 + s].empty() || got[10 + s].back() != kMarker) return false;
    }
    return true;
  }));
  auto got = inbox.by_sender();
  CHECK(OrderProblems(got) == "");
  uint64_t received = 0;
  uint64_t total_sent = 0;
  for (int s = 0; s < kSenders; ++s) {
    received += got[10 + s].size() - 1;
    total_sent += sent[s].load();
  }
  INFO("received " << received << " of " << total_sent << ", dropped " << link.dropped());
  CHECK(received + link.dropped() <= total_sent);
  CHECK(received > 0);

  // Phase 2: with the server down, the queue holds only the newest kCapacity.
  // The link notices a dead stream when a write fails: probe until it has.
  server.Stop();
  const size_t inbox_before = inbox.total();
  uint32_t probes = 0;
  REQUIRE(WaitFor([&] {
    if (!link.connected()) return true;
    link.Enqueue(Message(0, 30, probes++));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return false;
  }));
  const uint64_t dropped_before = link.dropped();
  constexpr uint32_t kBurst = 100;
  std::vector<std::thread> burst;
  for (int s = 0; s < 4; ++s) {
    burst.emplace_back([&, s] {
      for (uint32_t i = 0; i < kBurst; ++i) link.Enqueue(Message(0, 20 + s, i));
    });
  }
  for (auto& t : burst) t.join();
  // Probes still queued are older than the burst, so they go first.
  CHECK(link.dropped() - dropped_before >= 4 * kBurst - kCapacity);
  CHECK(link.dropped() - dropped_before <= 4 * kBurst - kCapacity + probes);
  CHECK(link_metrics.peer_messages_dropped.load() == link.dropped());
  server.Start();
  REQUIRE(WaitFor([&] { return inbox.total() == inbox_before + kCapacity; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(inbox.total() == inbox_before + kCapacity);
  got = inbox.by_sender();
  CHECK(OrderProblems(got) == "");
  size_t burst_received = 0;
  for (int s = 0; s < 4; ++s) {
    burst_received += got[20 + s].size();
    // The newest survive: each sender's survivors end with its last message.
    if (!got[20 + s].empty()) CHECK(got[20 + s].back() == kBurst - 1);
  }
  CHECK(burst_received == kCapacity);
  link.Stop();
}

TEST_CASE("threads: PeerService refuses a link whose certificate names no validator",
          "[threads][peer]") {
  TestPki pki({"v1", "mallory"});
  Inbox inbox;
  Metrics server_metrics;
  PeerServer server(pki.For("v1"), &inbox, &server_metrics);
  server.Start();
  PeerLink link(PeerLink::Options{.name = "v1", .address = server.address()}, pki.For("mallory"),
                nullptr);
  link.Start();
  std::vector<std::thread> senders;
  for (int s = 0; s < 2; ++s) {
    senders.emplace_back([&, s] {
      for (uint32_t i = 0; i < 50; ++i) link.Enqueue(Message(0, s, i));
    });
  }
  for (auto& t : senders) t.join();
  REQUIRE(WaitFor([&] { return server_metrics.peer_messages_rejected.load() >= 1; }));
  auto fetched = link.FetchBlocks(1, 5, 5000);
  CHECK_FALSE(fetched.ok());
  link.Stop();
  CHECK(inbox.total() == 0);
}

}  // namespace
}  // namespace licenced::node
