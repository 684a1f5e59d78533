// StatusListPublisher (node/status_list_publisher.h) over fake ledger ports:
// what it publishes and when (nothing on the ledger yet, bits behind the
// ledger after a status change, a change the newest list does not cover yet,
// age), one publication in flight per list, the retry after a lost one, and
// its thread woken by blocks and stopped cleanly (labels unit and tsan).
#include "node/status_list_publisher.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/genesis.h"
#include "proof/credential.h"

using namespace licenced;
using namespace licenced::node;
using json = nlohmann::json;
using proof::vc::StatusPurpose;

namespace {

constexpr uint64_t kHourMs = 3600ull * 1000;

// A ledger as the publisher sees it: the head, the revoked positions, and
// what is published per purpose. Lists are signed for real.
struct FakeLedger {
  DevNetwork net = MakeDevNetwork();
  std::mutex mu;
  uint64_t head = 5;
  uint64_t head_time_ms = 1764115200000ULL;
  uint64_t now = 1764115260000ULL;
  std::vector<uint64_t> revoked;
  std::map<int, json> published;
  std::vector<Transaction> submitted;

  // Called from the publisher's thread too: no Catch assertions in here.
  Result<json> Build(StatusPurpose purpose) {
    proof::vc::StatusListInput in;
    in.org = "market";
    in.purpose = purpose;
    in.header.height = head;
    in.header.timestamp_ms = head_time_ms;
    in.base_url = "http://127.0.0.1:7201";
    for (uint64_t p : revoked) in.entries.push_back({p, chaincode::LicenceStatus::kRevoked});
    return proof::vc::StatusListCredential(net.genesis, in, net.admin_keys.at("market"), now);
  }

  StatusListPublisher::Ports Ports() {
    StatusListPublisher::Ports p;
    p.build = [this](StatusPurpose purpose, uint64_t list) -> Result<json> {
      std::lock_guard<std::mutex> lock(mu);
      if (list != 0) return Status::Internal("only list 0 exists here");
      return Build(purpose);
    };
    p.published = [this](StatusPurpose purpose, uint64_t) -> Result<std::optional<json>> {
      std::lock_guard<std::mutex> lock(mu);
      auto it = published.find(static_cast<int>(purpose));
      if (it == published.end()) return std::optional<json>();
      return std::optional<json>(it->second);
    };
    p.list_count = [] { return Result<uint64_t>(uint64_t{1}); };
    p.submit = [this](Transaction tx) {
      std::lock_guard<std::mutex> lock(mu);
      submitted.push_back(std::move(tx));
    };
    p.now_ms = [this] {
      std::lock_guard<std::mutex> lock(mu);
      return now;
    };
    return p;
  }

  // The submitted publications commit in the next block.
  void Commit() {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& tx : submitted) {
      const json args = json::parse(ToString(tx.args));
      const json& c = args["credential"];
      const int purpose = c["credentialSubject"]["statusPurpose"] == "revocation" ? 0 : 1;
      published[purpose] = c;
    }
    submitted.clear();
    ++head;
    head_time_ms += 60'000;
    now += 60'000;
  }

  size_t Submitted() {
    std::lock_guard<std::mutex> lock(mu);
    return submitted.size();
  }
};

StatusListPublisher MakePublisher(FakeLedger& l) {
  return StatusListPublisher(l.net.genesis.network_id, l.net.admin_keys.at("market"), l.Ports(),
                             StatusListPublisher::Options{});
}

}  // namespace

TEST_CASE("status list publisher: publishes what is missing, once, as a signed transaction",
          "[node][credentials]") {
  REQUIRE(crypto::Init().ok());
  FakeLedger l;
  auto pub = MakePublisher(l);
  auto n = pub.PublishDue();
  REQUIRE(n.ok());
  CHECK(*n == 2);  // revocation and suspension
  REQUIRE(l.submitted.size() == 2);
  for (const auto& tx : l.submitted) {
    CHECK(tx.VerifySignature());
    CHECK(tx.network_id == l.net.genesis.network_id);
    CHECK(tx.chaincode == "licence");
    CHECK(tx.method == "publish_status_list");
    CHECK(tx.submitter == l.net.admin_keys.at("market").public_key());
    const json c = json::parse(ToString(tx.args))["credential"];
    CHECK(proof::vc::VerifyProof(c, tx.submitter).ok());
    CHECK(c["evidence"][0]["statusHeight"] == 5);
  }
  CHECK(l.submitted[0].Id() != l.submitted[1].Id());
  // In flight: not again.
  CHECK(*pub.PublishDue() == 0);
  l.Commit();
  // Landed, equal to the ledger and fresh: nothing to do.
  CHECK(*pub.PublishDue() == 0);
  pub.OnBlock(6, false);
  CHECK(*pub.PublishDue() == 0);
}

TEST_CASE("status list publisher: a status change is published, until a list covers its block",
          "[node][credentials]") {
  REQUIRE(crypto::Init().ok());
  FakeLedger l;
  auto pub = MakePublisher(l);
  REQUIRE(*pub.PublishDue() == 2);
  l.Commit();  // head 6, lists of height 5 published
  // Block 6 revokes position 1, but its state is not certified yet: the
  // newest certified state is still block 5's.
  {
    std::lock_guard<std::mutex> lock(l.mu);
    l.head = 5;
  }
  pub.OnBlock(6, true);
  CHECK(*pub.PublishDue() == 0);  // the list it would build (height 5) is the published one
  {
    std::lock_guard<std::mutex> lock(l.mu);
    l.head = 6;
    l.revoked = {1};  // block 6's certified state holds the change
  }
  pub.OnBlock(7, false);
  CHECK(*pub.PublishDue() == 2);  // uncovered: published height 5 < last change 6
  const json last = json::parse(ToString(l.submitted[0].args))["credential"];
  CHECK(last["evidence"][0]["statusHeight"] == 6);
  l.Commit();
  auto bits = proof::vc::DecodeStatusList(l.published[0]);
  REQUIRE(bits.ok());
  CHECK(proof::vc::ListBit(*bits, 1));
  CHECK(*pub.PublishDue() == 0);  // covered (6 >= 6) and equal
}

TEST_CASE("status list publisher: bits behind the ledger after a restart, age, and retries",
          "[node][credentials]") {
  REQUIRE(crypto::Init().ok());
  FakeLedger l;
  {
    auto first = MakePublisher(l);
    REQUIRE(*first.PublishDue() == 2);
    l.Commit();
  }
  {
    std::lock_guard<std::mutex> lock(l.mu);
    l.revoked = {0};  // changed while no publisher ran
  }
  auto pub = MakePublisher(l);    // a restarted node checks the bits first
  CHECK(*pub.PublishDue() == 1);  // only revocation differs
  l.Commit();
  CHECK(*pub.PublishDue() == 0);

  SECTION("older than refresh_after") {
    std::lock_guard<std::mutex> lock(l.mu);
    l.now += 13 * kHourMs;
  }
  SECTION("a lost publication is retried after retry_after") {
    {
      std::lock_guard<std::mutex> lock(l.mu);
      l.now += 13 * kHourMs;
    }
    REQUIRE(*pub.PublishDue() == 2);
    {
      std::lock_guard<std::mutex> lock(l.mu);
      l.submitted.clear();  // lost
      l.now += 10'000;
    }
    CHECK(*pub.PublishDue() == 0);  // still within retry_after
    std::lock_guard<std::mutex> lock(l.mu);
    l.now += 30'000;
  }
  CHECK(*pub.PublishDue() == 2);
}

TEST_CASE("status list publisher: its thread publishes after start and on a change",
          "[node][credentials][threads]") {
  REQUIRE(crypto::Init().ok());
  FakeLedger l;
  auto pub = MakePublisher(l);
  pub.Start();
  auto wait_for = [&](size_t n) {
    for (int i = 0; i < 500 && l.Submitted() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return l.Submitted();
  };
  CHECK(wait_for(2) == 2);
  l.Commit();
  pub.OnBlock(6, true);
  CHECK(wait_for(2) == 2);
  pub.Stop();
  pub.Stop();  // idempotent
}
