// The KvStores (node/storage) under concurrent writers and readers: batches
// stay atomic and every snapshot consistent (MemKvStore, RocksKvStore), and
// the fault-injecting wrapper's counters and injected failures add up when
// many threads write through it at once. Label tsan.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "core/encoding.h"
#include "core/mutex.h"
#include "node/storage/fault_injecting_kv_store.h"
#include "node/storage/mem_kv_store.h"
#include "node/storage/rocks_kv_store.h"
#include "tests/unit/node/threads_test_util.h"
#include "tests/unit/storage/storage_test_util.h"

namespace licenced::storage {
namespace {

using node::testing::FailureLog;

std::string DataKey(int writer, int seq) {
  return "w" + std::to_string(writer) + "/" + std::string(8 - std::to_string(seq).size(), '0') +
         std::to_string(seq);
}
std::string CountKey(int writer) { return "count/w" + std::to_string(writer); }

// kWriters threads each commit kPerWriter batches of {data key, its count
// key}; readers check that whenever a snapshot shows count = s for a writer,
// it also shows that writer's data keys 0..s-1 (batches are atomic and
// iterators are snapshots), and that Get never sees a count go backwards.
// With `one_writer_at_a_time`, the writers take turns (see the RocksDB case).
void ConcurrentWritersAndReaders(KvStore& kv, Mutex* one_writer_at_a_time = nullptr) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 150;
  constexpr int kReaders = 2;
  FailureLog failures;
  std::atomic<int> writers_done{0};
  std::atomic<uint64_t> snapshots{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int s = 0; s < kPerWriter; ++s) {
        // Paced by the readers, so that snapshots interleave with the writes.
        if (s % 50 == 0)
          node::testing::WaitFor([&] { return snapshots.load() >= static_cast<uint64_t>(s / 50); });
        WriteBatch batch;
        batch.Put(Column::kState, DataKey(w, s), ToBytes("v" + std::to_string(s)));
        batch.Put(Column::kMeta, CountKey(w), ToBytes(std::to_string(s + 1)));
        Status st;
        if (one_writer_at_a_time != nullptr) {
          MutexLock lock(one_writer_at_a_time);
          st = kv.Write(batch, /*sync=*/s % 16 == 0);
        } else {
          st = kv.Write(batch, /*sync=*/s % 16 == 0);
        }
        if (!st.ok()) failures.Add("write failed: " + st.ToString());
      }
      writers_done.fetch_add(1);
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      std::vector<int> last_count(kWriters, 0);
      while (writers_done.load() < kWriters) {
        // Counts first (a later snapshot has at least as much data).
        std::vector<int> counts(kWriters, 0);
        for (int w = 0; w < kWriters; ++w) {
          auto v = kv.Get(Column::kMeta, CountKey(w));
          if (!v.ok()) failures.Add("get failed: " + v.status().ToString());
          if (v.ok() && v->has_value()) counts[w] = std::stoi(ToString(**v));
          if (counts[w] < last_count[w]) failures.Add("a count went backwards");
          last_count[w] = counts[w];
        }
        std::vector<int> seen(kWriters, 0);
        auto it = kv.NewIterator(Column::kState);
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
          const std::string key(it->key());
          const int w = key[1] - '0';
          const int s = std::stoi(key.substr(3));
          if (s != seen[w]) failures.Add("snapshot has a gap before " + key);
          seen[w] = s + 1;
        }
        for (int w = 0; w < kWriters; ++w) {
          if (seen[w] < counts[w]) {
            failures.Add("snapshot misses data the count (read earlier) promised");
          }
        }
        snapshots.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures.All() == "");
  CHECK(snapshots.load() > 0);
  for (int w = 0; w < kWriters; ++w) {
    auto v = kv.Get(Column::kMeta, CountKey(w));
    REQUIRE(v.ok());
    REQUIRE(v->has_value());
    CHECK(ToString(**v) == std::to_string(kPerWriter));
  }
  auto all = kv.ScanPrefix(Column::kState, "w", KvStore::kNoLimit);
  REQUIRE(all.ok());
  CHECK(all->size() == static_cast<size_t>(kWriters * kPerWriter));
}

TEST_CASE("threads: MemKvStore keeps batches atomic under concurrent writers and readers",
          "[threads][storage]") {
  MemKvStore kv;
  ConcurrentWritersAndReaders(kv);
  CHECK(kv.Size(Column::kMeta) == 4);
}

TEST_CASE("threads: RocksKvStore keeps batches atomic under concurrent writers and readers",
          "[threads][storage]") {
  testing::TempDir dir;
  auto kv = RocksKvStore::Open(dir.path());
  REQUIRE(kv.ok());
  // Concurrent RocksDB writers join a write group whose leader applies the
  // others' batches and wakes them through atomics in the (uninstrumented)
  // library, which TSan cannot see; so the writers take turns here, and the
  // readers still race them.
  Mutex one_writer;
  ConcurrentWritersAndReaders(**kv, &one_writer);
}

TEST_CASE("threads: FaultInjectingKvStore counts every write and fails exactly the armed ones",
          "[threads][storage]") {
  MemKvStore base;
  FaultInjectingKvStore kv(&base);
  ConcurrentWritersAndReaders(kv);  // no faults armed: a plain store
  const uint64_t before = kv.write_count();
  CHECK(before == 4 * 150);

  // Writers race with an injector that arms one failure at a time and waits
  // until some write has taken it before arming the next.
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 200;
  constexpr int kFaults = 25;
  std::atomic<int> failed{0};
  std::atomic<int> succeeded{0};
  std::atomic<bool> writing{true};
  FailureLog failures;
  kv.FailNextWrite();  // the first of the kFaults, armed before any writer runs
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int s = 0; s < kPerWriter; ++s) {
        const std::string key = "f/" + DataKey(w, s);
        Status st = kv.Put(Column::kState, key, AsBytes("x"), /*sync=*/s % 7 == 0);
        auto got = base.Get(Column::kState, key);
        if (!got.ok()) failures.Add("get failed");
        if (st.ok()) {
          succeeded.fetch_add(1);
          if (got.ok() && !got->has_value()) failures.Add("acknowledged write missing: " + key);
        } else {
          failed.fetch_add(1);
          if (got.ok() && got->has_value()) failures.Add("failed write applied: " + key);
        }
        (void)kv.unsynced_write_count();  // read while others write
        (void)kv.crashed();
      }
    });
  }
  threads.emplace_back([&] {
    for (int f = 1; f < kFaults; ++f) {
      const int seen = f - 1;
      node::testing::WaitFor([&] { return failed.load() > seen || !writing.load(); });
      if (!writing.load()) return;
      kv.FailNextWrite();
    }
  });
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writing = false;
  threads.back().join();
  CHECK(failures.All() == "");
  CHECK(succeeded.load() + failed.load() == kWriters * kPerWriter);
  CHECK(failed.load() <= kFaults);
  CHECK(failed.load() >= 1);
  CHECK(kv.write_count() == before + kWriters * kPerWriter);
  CHECK_FALSE(kv.crashed());

  // What a crash now leaves: only synced writes and those before them.
  kv.ResetFaults();
  REQUIRE(kv.Put(Column::kMeta, "last", AsBytes("unsynced"), /*sync=*/false).ok());
  CHECK(kv.unsynced_write_count() >= 1);
  REQUIRE(kv.SimulateCrash().ok());
  CHECK(kv.unsynced_write_count() == 0);
  auto last = base.Get(Column::kMeta, "last");
  REQUIRE(last.ok());
  CHECK_FALSE(last->has_value());
}

}  // namespace
}  // namespace licenced::storage
