// The node's execution, state-transfer and event threads with real threads
// (labels unit and tsan): ExecutionDriver over the real Executor and
// chaincode, BlockFetchWorker, EventBus and SubmissionTable, each driven from
// several threads at once, as the strand, the gRPC handlers and the
// execution thread drive them in the daemon.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "consensus/block.h"
#include "core/genesis.h"
#include "core/merkle.h"
#include "core/transaction.h"
#include "node/block_fetch_worker.h"
#include "node/event_bus.h"
#include "node/execution_driver.h"
#include "node/executor.h"
#include "node/storage/fault_injecting_kv_store.h"
#include "node/storage/mem_kv_store.h"
#include "node/submission_table.h"
#include "tests/unit/node/threads_test_util.h"

using namespace licenced;
using node::testing::FailureLog;
using node::testing::WaitFor;

namespace {

// A chain of blocks of identity.enrol_clerk txs, made ahead of time by
// executing them on a scratch store (so that they carry real state roots).
struct Ledger {
  DevNetwork net = MakeDevNetwork();
  uint64_t nonce = 1;

  Bytes Enrol(const std::string& name) {
    Transaction tx;
    tx.network_id = net.genesis.network_id;
    tx.chaincode = "identity";
    tx.method = "enrol_clerk";
    nlohmann::json args = {{"name", name},
                           {"public_key", ToHex(crypto::KeyPair::Generate().public_key())},
                           {"roles", {"clerk"}}};
    tx.args = ToBytes(args.dump());
    tx.nonce = nonce++;
    tx.SignWith(net.admin_keys.at("market"));
    return tx.Encode();
  }

  // Blocks 1..n with `per_block` txs each.
  std::vector<consensus::Deliver> Blocks(uint64_t n, size_t per_block) {
    std::vector<consensus::Deliver> out;
    Hash prev = net.genesis.ComputeHash();
    for (uint64_t h = 1; h <= n; ++h) {
      consensus::Deliver d;
      d.block.header.height = h;
      d.block.header.prev_hash = prev;
      d.block.header.timestamp_ms = net.genesis.genesis_time_ms + 1000 * h;
      for (size_t i = 0; i < per_block; ++i) {
        d.block.txs.push_back(Enrol("clerk-" + std::to_string(h) + "-" + std::to_string(i)));
      }
      d.block.header.tx_root = merkle::Root(d.block.txs);
      d.cert.height = h;
      d.cert.block_hash = d.block.ComputeHash();
      prev = d.cert.block_hash;
      out.push_back(std::move(d));
    }
    return out;
  }
};

// What the driver reported, written on the execution thread and read on the
// test thread.
struct Reports {
  mutable Mutex mu;
  std::vector<std::pair<uint64_t, Hash>> executed GUARDED_BY(mu);  // (height, root)
  std::vector<uint64_t> committed GUARDED_BY(mu);
  std::vector<std::string> failures GUARDED_BY(mu);

  node::ExecutionDriver::Callbacks Callbacks() {
    node::ExecutionDriver::Callbacks cb;
    cb.executed = [this](uint64_t h, Hash, Hash root) {
      MutexLock lock(&mu);
      executed.emplace_back(h, root);
    };
    cb.committed = [this](const node::ExecutedBlock& b, double) {
      MutexLock lock(&mu);
      committed.push_back(b.height);
    };
    cb.failed = [this](const Status& why) {
      MutexLock lock(&mu);
      failures.push_back(why.ToString());
    };
    return cb;
  }
  size_t executed_count() const {
    MutexLock lock(&mu);
    return executed.size();
  }
  size_t failure_count() const {
    MutexLock lock(&mu);
    return failures.size();
  }
};

struct ExecFixture {
  Ledger ledger;
  storage::MemKvStore mem;
  storage::FaultInjectingKvStore kv{&mem};
  std::unique_ptr<storage::BlockStore> store;
  std::unique_ptr<node::Executor> executor;

  ExecFixture() {
    auto s = storage::BlockStore::Open(&kv, ledger.net.genesis.ComputeHash());
    REQUIRE(s.ok());
    store = std::move(*s);
    executor = std::make_unique<node::Executor>(ledger.net.genesis, store.get());
  }
};

}  // namespace

TEST_CASE(
    "threads: execution driver executes delivered blocks in order while readers query the store",
    "[node][threads]") {
  ExecFixture f;
  auto blocks = f.ledger.Blocks(40, 5);
  Reports reports;
  node::ExecutionDriver driver(f.executor.get(), f.store.get(), /*checkpoint_interval=*/8,
                               reports.Callbacks());
  driver.Start();

  // Readers: what the gRPC handlers do beside execution.
  std::atomic<bool> stop{false};
  FailureLog failures;
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      uint64_t last = 0;
      while (!stop.load()) {
        uint64_t h = f.store->head_height();
        if (h < last) failures.Add("head height went back from " + std::to_string(last));
        last = h;
        if (h > 0 && !f.executor->StateRootAt(h).ok()) failures.Add("no root at the head");
        (void)driver.backlog();
      }
    });
  }
  // The strand's side: deliveries in height order, from one thread.
  std::thread strand([&] {
    for (auto& d : blocks) driver.Enqueue(d);
  });
  strand.join();
  REQUIRE(WaitFor([&] { return reports.executed_count() == blocks.size(); }));
  stop = true;
  for (auto& t : readers) t.join();
  driver.Stop();

  CHECK(failures.All() == "");
  CHECK(reports.failure_count() == 0);
  CHECK(f.store->head_height() == 40);
  MutexLock lock(&reports.mu);
  for (size_t i = 0; i < reports.executed.size(); ++i) {
    CHECK(reports.executed[i].first == i + 1);
    auto root = f.executor->StateRootAt(i + 1);
    REQUIRE(root.ok());
    CHECK(reports.executed[i].second == *root);
  }
  CHECK(reports.committed.size() == 40);
}

TEST_CASE("threads: execution driver reports blocks it already holds without executing them again",
          "[node][threads]") {
  ExecFixture f;
  auto blocks = f.ledger.Blocks(6, 2);
  std::vector<Hash> roots;
  {
    Reports first;
    node::ExecutionDriver driver(f.executor.get(), f.store.get(), 4, first.Callbacks());
    driver.Start();
    for (auto& d : blocks) driver.Enqueue(d);
    REQUIRE(WaitFor([&] { return first.executed_count() == 6; }));
    MutexLock lock(&first.mu);
    for (auto& [h, root] : first.executed) roots.push_back(root);
  }
  // A restart replays the log: the same blocks are delivered again.
  Reports again;
  node::ExecutionDriver driver(f.executor.get(), f.store.get(), 4, again.Callbacks());
  driver.Start();
  for (auto& d : blocks) driver.Enqueue(d);
  REQUIRE(WaitFor([&] { return again.executed_count() == 6; }));
  driver.Stop();
  MutexLock lock(&again.mu);
  CHECK(again.committed.empty());
  for (size_t i = 0; i < 6; ++i) CHECK(again.executed[i].second == roots[i]);
  CHECK(f.store->head_height() == 6);
}

TEST_CASE("threads: execution driver stops for good at a block that fails to execute",
          "[node][threads]") {
  ExecFixture f;
  auto blocks = f.ledger.Blocks(8, 1);
  Reports reports;
  node::ExecutionDriver driver(f.executor.get(), f.store.get(), 4, reports.Callbacks());
  driver.Start();
  for (size_t i = 0; i < 3; ++i) driver.Enqueue(blocks[i]);
  REQUIRE(WaitFor([&] { return reports.executed_count() == 3; }));
  f.kv.FailNextWrite();  // the disk refuses block 4's commit
  for (size_t i = 3; i < blocks.size(); ++i) driver.Enqueue(blocks[i]);
  REQUIRE(WaitFor([&] { return reports.failure_count() == 1; }));
  REQUIRE(WaitFor([&] { return driver.failed(); }));
  driver.Enqueue(blocks[4]);  // ignored from now on
  driver.Stop();
  CHECK(reports.executed_count() == 3);
  CHECK(reports.failure_count() == 1);
  CHECK(f.store->head_height() == 3);
  MutexLock lock(&reports.mu);
  CHECK(reports.failures[0].find("executing block 4 failed") != std::string::npos);
}

TEST_CASE("threads: execution driver stores state certificates and stops for good when halted",
          "[node][threads]") {
  ExecFixture f;
  auto blocks = f.ledger.Blocks(8, 1);
  Reports reports;
  node::ExecutionDriver::Callbacks cb = reports.Callbacks();
  std::atomic<int> halts{0};
  cb.halted = [&](const consensus::HaltExecution& h) {
    CHECK(h.height == 3);
    ++halts;
  };
  node::ExecutionDriver driver(f.executor.get(), f.store.get(), 4, std::move(cb));
  driver.Start();
  for (size_t i = 0; i < 3; ++i) driver.Enqueue(blocks[i]);
  REQUIRE(WaitFor([&] { return reports.executed_count() == 3; }));
  // A certificate for a block not executed yet is stored too.
  for (uint64_t h : {2, 5}) {
    consensus::CheckpointProof cert;
    cert.checkpoint.height = h;
    cert.checkpoint.state_root[0] = static_cast<uint8_t>(h);
    driver.Certified(consensus::Certified{cert});
  }
  REQUIRE(WaitFor([&] {
    auto five = f.store->StateCertificate(5);
    return five.ok() && five->has_value();
  }));
  auto two = f.store->StateCertificate(2);
  REQUIRE(two.ok());
  REQUIRE(two->has_value());
  auto decoded = consensus::CheckpointProof::Decode(**two);
  REQUIRE(decoded.ok());
  CHECK(decoded->checkpoint.height == 2);
  CHECK(decoded->checkpoint.state_root[0] == 2);
  auto none = f.store->StateCertificate(4);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  driver.HaltExecution(consensus::HaltExecution{3, "the state after block 3 differs"});
  driver.HaltExecution(consensus::HaltExecution{3, "again"});  // reported once
  CHECK(driver.halted());
  for (size_t i = 3; i < blocks.size(); ++i) driver.Enqueue(blocks[i]);  // executes none
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  driver.Stop();
  CHECK(halts == 1);
  CHECK(reports.executed_count() == 3);
  CHECK(f.store->head_height() == 3);
  CHECK(reports.failure_count() == 0);
}

TEST_CASE("threads: execution driver stop finishes the running block and drops the queue",
          "[node][threads]") {
  ExecFixture f;
  auto blocks = f.ledger.Blocks(30, 20);
  Reports reports;
  node::ExecutionDriver driver(f.executor.get(), f.store.get(), 8, reports.Callbacks());
  driver.Start();
  for (auto& d : blocks) driver.Enqueue(d);
  REQUIRE(WaitFor([&] { return reports.executed_count() >= 1; }));
  driver.Stop();
  const size_t executed = reports.executed_count();
  driver.Enqueue(blocks.back());  // after Stop: ignored
  CHECK(driver.backlog() == 0);
  CHECK(f.store->head_height() == executed);  // every reported block is committed, no more
  CHECK(reports.failure_count() == 0);
}

TEST_CASE("threads: block fetch worker runs one fetch at a time and answers each exactly once",
          "[node][threads]") {
  Ledger ledger;
  auto blocks = ledger.Blocks(3, 1);
  node::RawBlocks raw;
  for (auto& d : blocks) raw.emplace_back(d.block.Encode(), d.cert.Encode());

  node::BlockFetchWorker worker;
  worker.Start();
  Mutex mu;
  CondVar cv;
  bool release = false;
  std::atomic<int> answers{0};
  std::atomic<size_t> got{0};
  auto source = [&]() -> Result<node::RawBlocks> {
    MutexLock lock(&mu);
    while (!release) cv.Wait(&mu);
    return raw;
  };
  auto done = [&](node::DecodedFetch b) {
    got = b.blocks.size();
    answers++;
  };
  REQUIRE(worker.Fetch("peer-1", source, done));
  CHECK(worker.busy());
  CHECK_FALSE(worker.Fetch("peer-2", source, done));  // one in flight
  {
    MutexLock lock(&mu);
    release = true;
  }
  cv.SignalAll();
  REQUIRE(WaitFor([&] { return answers.load() == 1; }));
  CHECK(got.load() == 3);
  // From the answer's own thread, as the host does: the next fetch starts.
  std::atomic<int> chained{0};
  REQUIRE(WaitFor([&] { return !worker.busy(); }));
  REQUIRE(worker.Fetch(
      "peer-1", [] { return Result<node::RawBlocks>(Status::Unavailable("peer went away")); },
      [&](node::DecodedFetch b) {
        if (b.blocks.empty()) chained++;
      }));
  REQUIRE(WaitFor([&] { return chained.load() == 1; }));
  worker.Stop();
  CHECK_FALSE(worker.Fetch("peer-1", source, done));  // stopped
  CHECK(answers.load() == 1);
}

TEST_CASE("threads: event bus: a sink is never called after Unsubscribe returns",
          "[node][threads]") {
  node::EventBus bus;
  std::atomic<bool> stop{false};
  FailureLog failures;
  std::vector<node::EventRecord> events(1);
  std::thread publisher([&] {
    uint64_t h = 0;
    while (!stop.load()) {
      events[0].height = ++h;
      bus.Publish(events);
    }
  });
  std::vector<std::thread> subscribers;
  for (int s = 0; s < 3; ++s) {
    subscribers.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        // A stream's state, destroyed right after Unsubscribe.
        auto alive = std::make_shared<std::atomic<bool>>(true);
        auto seen = std::make_shared<std::atomic<uint64_t>>(0);
        uint64_t token = bus.Subscribe([alive, seen, &failures](const auto& evs) {
          if (!alive->load()) failures.Add("a sink ran after Unsubscribe returned");
          if (evs.size() != 1) failures.Add("a publish lost its events");
          seen->fetch_add(1);
        });
        std::this_thread::yield();
        bus.Unsubscribe(token);
        alive->store(false);
      }
    });
  }
  for (auto& t : subscribers) t.join();
  stop = true;
  publisher.join();
  CHECK(failures.All() == "");
  CHECK(bus.subscribers() == 0);
}

TEST_CASE(
    "threads: submission table: each waiter runs exactly once, replays and overflow are refused",
    "[node][threads]") {
  using Clock = node::SubmissionTable::Clock;
  node::SubmissionTable table(/*capacity=*/1000, std::chrono::seconds(120));
  auto id_of = [](int i) {
    Hash h{};
    h[0] = static_cast<uint8_t>(i);
    h[1] = static_cast<uint8_t>(i >> 8);
    h[2] = 1;
    return h;
  };
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::atomic<int>> runs(kThreads * kPerThread);
  std::vector<std::atomic<bool>> ready(kThreads * kPerThread);
  FailureLog failures;
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = t * kPerThread; i < (t + 1) * kPerThread; ++i) {
        Status s = table.Add(
            id_of(i), ToBytes("tx"),
            [&runs, i](Result<node::SubmitOutcome> r) {
              if (r.ok() && r->committed) runs[i]++;
            },
            Clock::now());
        if (!s.ok()) failures.Add("a first submission was refused: " + s.ToString());
        if (table.Add(id_of(i), ToBytes("tx"), nullptr, Clock::now()).code() !=
            StatusCode::kAlreadyExists) {
          failures.Add("a replay was accepted");
        }
        ready[i] = true;  // committed only after its replay was tried
      }
    });
  }
  // The execution thread commits them in blocks as they arrive.
  std::thread executor([&] {
    int next = 0;
    while (next < kThreads * kPerThread) {
      node::ExecutedBlock b;
      for (int i = 0; i < kThreads * kPerThread; ++i) {
        if (ready[i].load() && runs[i].load() == 0 && table.Contains(id_of(i))) {
          node::ExecutedTx tx;
          tx.id = id_of(i);
          b.txs.push_back(tx);
        }
      }
      auto done = table.Complete(b, Clock::now());
      for (auto& [w, o] : done.waiters) w(std::move(o));
      next += static_cast<int>(done.latencies_seconds.size());
    }
  });
  for (auto& t : clients) t.join();
  executor.join();
  CHECK(failures.All() == "");
  for (auto& r : runs) CHECK(r.load() == 1);
  CHECK(table.size() == 0);

  node::SubmissionTable small(2, std::chrono::seconds(120));
  CHECK(small.Add(id_of(1), {}, nullptr, Clock::now()).ok());
  CHECK(small.Add(id_of(2), {}, nullptr, Clock::now()).ok());
  CHECK(small.Add(id_of(3), {}, nullptr, Clock::now()).code() == StatusCode::kUnavailable);
  // An expired pending entry may be submitted again.
  node::SubmissionTable expiring(10, std::chrono::seconds(120));
  CHECK(expiring.Add(id_of(4), {}, nullptr, Clock::now() - std::chrono::seconds(121)).ok());
  CHECK(expiring.Add(id_of(4), {}, nullptr, Clock::now()).ok());
  CHECK(expiring.TakeAll().empty());
}
