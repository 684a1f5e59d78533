// RocksKvStore specifics: data survives reopening, every column is a RocksDB
// column family, and open errors (locked dir, corrupt files, bad path) are
// clear and name the data dir.
#include <catch2/catch.hpp>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <fstream>

#include "node/storage/rocks_kv_store.h"
#include "tests/unit/storage/storage_test_util.h"

namespace licenced::storage {
namespace {

using testing::TempDir;

Bytes B(std::string_view s) { return ToBytes(s); }

TEST_CASE("storage: RocksKvStore keeps data across reopen", "[storage][rocks]") {
  TempDir dir;
  {
    auto kv = RocksKvStore::Open(dir.path());
    REQUIRE(kv.ok());
    for (Column c : kAllColumns) {
      REQUIRE((*kv)->Put(c, "k", B(std::string("v-") + ColumnName(c)), true).ok());
    }
    REQUIRE((*kv)->Put(Column::kState, "unsynced", B("u"), false).ok());
    REQUIRE((*kv)->Put(Column::kState, "deleted", B("d"), true).ok());
    REQUIRE((*kv)->Delete(Column::kState, "deleted", true).ok());
  }
  auto kv = RocksKvStore::Open(dir.path());
  REQUIRE(kv.ok());
  for (Column c : kAllColumns) {
    auto v = (*kv)->Get(c, "k");
    REQUIRE(v.ok());
    CHECK(*v == B(std::string("v-") + ColumnName(c)));
  }
  // A clean close keeps unsynced writes too (they are in the WAL).
  CHECK(*(*kv)->Get(Column::kState, "unsynced") == B("u"));
  CHECK(*(*kv)->Get(Column::kState, "deleted") == std::nullopt);
}

TEST_CASE("storage: RocksKvStore creates one column family per Column", "[storage][rocks]") {
  TempDir dir;
  { REQUIRE(RocksKvStore::Open(dir.path()).ok()); }
  std::vector<std::string> families;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.path(), &families).ok());
  for (const char* name : {"blocks", "certs", "state", "consensus", "index", "meta"}) {
    INFO(name);
    CHECK(std::find(families.begin(), families.end(), name) != families.end());
  }
}

TEST_CASE("storage: RocksKvStore refuses a data dir that is already open", "[storage][rocks]") {
  TempDir dir;
  auto first = RocksKvStore::Open(dir.path());
  REQUIRE(first.ok());
  auto second = RocksKvStore::Open(dir.path());
  REQUIRE_FALSE(second.ok());
  INFO(second.status().ToString());
  CHECK(second.status().code() == StatusCode::kIoError);
  CHECK(second.status().message().find(dir.path()) != std::string::npos);
  CHECK(second.status().message().find("another licenced") != std::string::npos);
  // The first handle still works.
  CHECK((*first)->Put(Column::kMeta, "k", B("v"), true).ok());
}

TEST_CASE("storage: RocksKvStore reports a corrupt database as Corruption", "[storage][rocks]") {
  TempDir dir;
  { REQUIRE(RocksKvStore::Open(dir.path()).ok()); }
  {
    std::ofstream current(dir.path() + "/CURRENT", std::ios::trunc);
    current << "garbage-without-newline";
  }
  auto kv = RocksKvStore::Open(dir.path());
  REQUIRE_FALSE(kv.ok());
  INFO(kv.status().ToString());
  CHECK(kv.status().code() == StatusCode::kCorruption);
  CHECK(kv.status().message().find(dir.path()) != std::string::npos);
}

TEST_CASE("storage: RocksKvStore cannot open a path that is a file", "[storage][rocks]") {
  TempDir dir;
  const std::string file = dir.path() + "/not-a-dir";
  { std::ofstream(file) << "x"; }
  auto kv = RocksKvStore::Open(file);
  REQUIRE_FALSE(kv.ok());
  INFO(kv.status().ToString());
  CHECK(kv.status().code() == StatusCode::kIoError);
  CHECK(kv.status().message().find(file) != std::string::npos);
}

TEST_CASE("storage: RocksKvStore exposes integer properties", "[storage][rocks]") {
  TempDir dir;
  auto kv = RocksKvStore::Open(dir.path());
  REQUIRE(kv.ok());
  REQUIRE((*kv)->Put(Column::kState, "k", B("v"), false).ok());
  auto keys = (*kv)->IntProperty("rocksdb.estimate-num-keys");
  REQUIRE(keys.ok());
  CHECK(*keys >= 1);
  CHECK_FALSE((*kv)->IntProperty("rocksdb.no-such-property").ok());
}

}  // namespace
}  // namespace licenced::storage
