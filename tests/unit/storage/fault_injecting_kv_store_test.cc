// FaultInjectingKvStore: unsynced writes are dropped by SimulateCrash() and
// synced ones kept; injected failures apply nothing; each crash mode leaves
// exactly what a real crash at that point would.
#include <catch2/catch.hpp>

#include "node/storage/fault_injecting_kv_store.h"
#include "node/storage/mem_kv_store.h"
#include "tests/unit/storage/storage_test_util.h"

namespace licenced::storage {
namespace {

using Fault = FaultInjectingKvStore::Fault;

Bytes B(std::string_view s) { return ToBytes(s); }

std::optional<Bytes> Get(KvStore& kv, std::string_view key) {
  auto v = kv.Get(Column::kState, key);
  REQUIRE(v.ok());
  return *v;
}

TEST_CASE("storage: SimulateCrash drops unsynced writes and keeps synced ones",
          "[storage][fault]") {
  MemKvStore base;
  FaultInjectingKvStore kv(&base);
  REQUIRE(kv.Put(Column::kState, "synced", B("1"), true).ok());
  REQUIRE(kv.Put(Column::kState, "unsynced", B("2"), false).ok());
  REQUIRE(kv.Put(Column::kState, "synced", B("overwritten"), false).ok());
  REQUIRE(kv.Delete(Column::kState, "synced", false).ok());
  REQUIRE(kv.Put(Column::kState, "synced", B("again"), false).ok());
  CHECK(kv.unsynced_write_count() == 4);
  // Before the crash, reads see everything (the page cache).
  CHECK(Get(kv, "unsynced") == B("2"));
  CHECK(Get(kv, "synced") == B("again"));

  REQUIRE(kv.SimulateCrash().ok());
  CHECK(kv.unsynced_write_count() == 0);
  CHECK(Get(base, "synced") == B("1"));
  CHECK(Get(base, "unsynced") == std::nullopt);
}

TEST_CASE("storage: A synced write makes earlier unsynced writes durable", "[storage][fault]") {
  MemKvStore base;
  FaultInjectingKvStore kv(&base);
  REQUIRE(kv.Put(Column::kState, "a", B("1"), false).ok());
  REQUIRE(kv.Put(Column::kMeta, "b", B("2"), true).ok());
  REQUIRE(kv.Put(Column::kState, "c", B("3"), false).ok());
  REQUIRE(kv.SimulateCrash().ok());
  CHECK(Get(base, "a") == B("1"));
  CHECK(*base.Get(Column::kMeta, "b") == B("2"));
  CHECK(Get(base, "c") == std::nullopt);
}

TEST_CASE("storage: FailNextWrite fails one write and applies nothing of it", "[storage][fault]") {
  MemKvStore base;
  FaultInjectingKvStore kv(&base);
  kv.FailNextWrite();
  WriteBatch batch;
  batch.Put(Column::kState, "x", B("1"));
  batch.Put(Column::kState, "y", B("2"));
  Status s = kv.Write(batch, true);
  CHECK(s.code() == StatusCode::kIoError);
  CHECK(Get(base, "x") == std::nullopt);
  CHECK(Get(base, "y") == std::nullopt);
  CHECK_FALSE(kv.crashed());
  REQUIRE(kv.Write(batch, true).ok());
  CHECK(Get(base, "y") == B("2"));
}

TEST_CASE("storage: FailWritesAfter lets n writes through, then fails until reset",
          "[storage][fault]") {
  MemKvStore base;
  FaultInjectingKvStore kv(&base);
  kv.FailWritesAfter(2);
  CHECK(kv.Put(Column::kState, "1", B("1"), false).ok());
  CHECK(kv.Put(Column::kState, "2", B("2"), true).ok());
  CHECK(kv.Put(Column::kState, "3", B("3"), true).code() == StatusCode::kIoError);
  CHECK(kv.Put(Column::kState, "4", B("4"), false).code() == StatusCode::kIoError);
  CHECK(Get(base, "3") == std::nullopt);
  CHECK(Get(base, "4") == std::nullopt);
  kv.ResetFaults();
  CHECK(kv.Put(Column::kState, "5", B("5"), true).ok());
  CHECK(kv.write_count() == 5);
}

TEST_CASE("storage: Crash modes leave what a real crash at that point would", "[storage][fault]") {
  MemKvStore base;
  FaultInjectingKvStore kv(&base);
  REQUIRE(kv.Put(Column::kState, "durable", B("d"), true).ok());
  REQUIRE(kv.Put(Column::kState, "volatile", B("v"), false).ok());
  WriteBatch batch;
  batch.Put(Column::kState, "batch-1", B("1"));
  batch.Put(Column::kState, "batch-2", B("2"));

  const Fault fault =
      GENERATE(Fault::kCrashMidBatch, Fault::kCrashBeforeSync, Fault::kCrashAfterSync);
  INFO("fault " << static_cast<int>(fault));
  kv.InjectAt(1, fault);  // the write after the next one
  REQUIRE(kv.Put(Column::kState, "before", B("b"), false).ok());
  CHECK(kv.Write(batch, true).code() == StatusCode::kIoError);
  CHECK(kv.crashed());
  // The process is down: nothing more gets written.
  CHECK(kv.Put(Column::kState, "after", B("a"), true).code() == StatusCode::kIoError);
  REQUIRE(kv.SimulateCrash().ok());
  CHECK_FALSE(kv.crashed());

  CHECK(Get(base, "durable") == B("d"));
  CHECK(Get(base, "after") == std::nullopt);
  const bool batch_durable = fault == Fault::kCrashAfterSync;
  // The batch is all or nothing; a durable sync also made earlier writes durable.
  CHECK(Get(base, "batch-1").has_value() == batch_durable);
  CHECK(Get(base, "batch-2").has_value() == batch_durable);
  CHECK(Get(base, "volatile").has_value() == batch_durable);
  CHECK(Get(base, "before").has_value() == batch_durable);
  // After the restart writes work again.
  CHECK(kv.Put(Column::kState, "restarted", B("r"), true).ok());
}

TEST_CASE("storage: A crash before sync of an unsynced write loses only unsynced data",
          "[storage][fault]") {
  MemKvStore base;
  FaultInjectingKvStore kv(&base);
  REQUIRE(kv.Put(Column::kState, "k", B("synced"), true).ok());
  kv.InjectAt(0, Fault::kCrashBeforeSync);
  CHECK_FALSE(kv.Put(Column::kState, "k", B("lost"), false).ok());
  REQUIRE(kv.SimulateCrash().ok());
  CHECK(Get(base, "k") == B("synced"));
}

}  // namespace
}  // namespace licenced::storage
