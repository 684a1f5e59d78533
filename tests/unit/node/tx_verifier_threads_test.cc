// TxVerifier (node/tx_verifier.h) from many threads at once: Check, IsValid,
// Verified and Forget racing on the verified-signature cache (small enough
// to evict all the time), and Post on the worker pool. Label tsan.
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "core/transaction.h"
#include "node/tx_verifier.h"
#include "tests/unit/node/threads_test_util.h"

namespace licenced::node {
namespace {

using testing::FailureLog;

constexpr const char* kNetwork = "licenced-threads";

struct Case {
  Transaction tx;
  Bytes encoded;
  bool valid;
};

std::vector<Case> MakeCases() {
  std::vector<Case> cases;
  for (uint64_t i = 0; i < 48; ++i) {
    Transaction tx;
    tx.network_id = kNetwork;
    tx.chaincode = "licence";
    tx.method = "issue";
    tx.args = ToBytes("{\"n\":" + std::to_string(i) + "}");
    tx.nonce = i;
    tx.SignWith(crypto::KeyPair::FromSeed(crypto::Seed{static_cast<uint8_t>(1 + i % 5)}));
    bool valid = true;
    if (i % 4 == 1) {
      tx.signature[7] ^= 0x20;  // signature does not verify
      valid = false;
    } else if (i % 4 == 2 && i % 8 == 2) {
      tx.network_id = "other-network";  // signed for another network
      tx.SignWith(crypto::KeyPair::FromSeed(crypto::Seed{9}));
      valid = false;
    }
    Bytes encoded = tx.Encode();
    cases.push_back(Case{std::move(tx), std::move(encoded), valid});
  }
  return cases;
}

TEST_CASE("threads: TxVerifier gives every thread the right verdict while the cache churns",
          "[threads][tx_verifier]") {
  const std::vector<Case> cases = MakeCases();
  TxVerifier verifier(kNetwork, /*threads=*/2, /*cache_capacity=*/8);
  FailureLog failures;
  std::atomic<uint64_t> checks{0};
  constexpr int kThreads = 6;
  constexpr int kRounds = 12;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::vector<size_t> order(cases.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      for (int round = 0; round < kRounds; ++round) {
        std::shuffle(order.begin(), order.end(), rng);
        for (size_t i : order) {
          const Case& c = cases[i];
          const bool by_check = verifier.Check(c.tx).ok();
          const bool by_bytes = verifier.IsValid(c.encoded);
          if (by_check != c.valid || by_bytes != c.valid) {
            failures.Add("tx " + std::to_string(i) + ": Check " + std::to_string(by_check) +
                         ", IsValid " + std::to_string(by_bytes) + ", expected " +
                         std::to_string(c.valid));
          }
          if (!c.valid && verifier.Verified(c.tx.Id(), c.tx.signature)) {
            failures.Add("tx " + std::to_string(i) + " has a bad signature but is cached");
          }
          if (t % 2 == 1 && rng() % 3 == 0) verifier.Forget(c.tx.Id());
          checks.fetch_add(2);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.All() == "");
  CHECK(checks.load() == 2u * kThreads * kRounds * cases.size());
}

TEST_CASE("threads: TxVerifier remembers every verified signature when the cache is large enough",
          "[threads][tx_verifier]") {
  const std::vector<Case> cases = MakeCases();
  TxVerifier verifier(kNetwork, /*threads=*/2);
  // Post the checks onto the verifier's own pool, from several threads.
  std::atomic<int> done{0};
  std::atomic<int> valid{0};
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&] {
      for (const Case& c : cases) {
        verifier.Post([&verifier, &done, &valid, &c] {
          if (verifier.IsValid(c.encoded)) valid.fetch_add(1);
          done.fetch_add(1);
        });
      }
    });
  }
  for (auto& th : posters) th.join();
  const int total = 4 * static_cast<int>(cases.size());
  REQUIRE(testing::WaitFor([&] { return done.load() == total; }));
  int expected_valid = 0;
  for (const Case& c : cases) expected_valid += c.valid ? 4 : 0;
  CHECK(valid.load() == expected_valid);
  for (const Case& c : cases) {
    INFO("tx nonce " << c.tx.nonce);
    // Wrong-network transactions are refused before the signature is checked.
    CHECK(verifier.Verified(c.tx.Id(), c.tx.signature) == c.valid);
  }
  // Forget from several threads at once: each id leaves the cache once.
  std::vector<std::thread> forgetters;
  for (int t = 0; t < 3; ++t) {
    forgetters.emplace_back([&] {
      for (const Case& c : cases) verifier.Forget(c.tx.Id());
    });
  }
  for (auto& th : forgetters) th.join();
  for (const Case& c : cases) CHECK_FALSE(verifier.Verified(c.tx.Id(), c.tx.signature));
  verifier.Stop();
}

}  // namespace
}  // namespace licenced::node
