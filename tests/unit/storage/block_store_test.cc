// BlockStore: commit and read back by height and hash, the head pointer,
// rejection of out-of-order or reserved-key commits with nothing changed,
// the consistency checks of Open, and ConsensusLog.
#include <catch2/catch.hpp>

#include "core/crypto.h"
#include "node/storage/block_store.h"
#include "node/storage/consensus_log.h"
#include "node/storage/fault_injecting_kv_store.h"
#include "node/storage/mem_kv_store.h"
#include "node/storage/rocks_kv_store.h"
#include "tests/unit/storage/storage_test_util.h"

namespace licenced::storage {
namespace {

using testing::ChainBlockHash;
using testing::ChainRecord;
using testing::CheckChain;
using testing::DumpAll;

Bytes B(std::string_view s) { return ToBytes(s); }

std::unique_ptr<BlockStore> OpenOk(KvStore* kv, const Hash& genesis = Hash{}) {
  auto store = BlockStore::Open(kv, genesis);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

TEST_CASE("storage: HeightKey is big-endian and sorts by height", "[storage][block]") {
  CHECK(HeightKey(1) == std::string("\0\0\0\0\0\0\0\x01", 8));
  CHECK(HeightKey(0x0102030405060708ull) == "\x01\x02\x03\x04\x05\x06\x07\x08");
  CHECK(HeightKey(255) < HeightKey(256));
  CHECK(DecodeHeightKey(HeightKey(123456789)) == 123456789);
}

TEST_CASE("storage: An empty BlockStore is at the genesis", "[storage][block]") {
  MemKvStore kv;
  const Hash genesis = crypto::Sha256(B("genesis file"));
  auto store = OpenOk(&kv, genesis);
  CHECK(store->head_height() == 0);
  CHECK(store->head_hash() == genesis);
  CHECK(*store->BlockByHeight(1) == std::nullopt);
  CHECK(*store->HeightByHash(genesis) == std::nullopt);
}

TEST_CASE("storage: BlockStore commits blocks and reads them by height and hash",
          "[storage][block]") {
  MemKvStore kv;
  auto store = OpenOk(&kv);
  for (uint64_t h = 1; h <= 3; ++h) REQUIRE(store->Commit(ChainRecord(h)).ok());
  CHECK(store->head_height() == 3);
  CHECK(store->head_hash() == ChainBlockHash(3));
  for (uint64_t h = 1; h <= 3; ++h) {
    BlockStore::CommitRecord r = ChainRecord(h);
    CHECK(*store->BlockByHeight(h) == r.block);
    CHECK(*store->CertByHeight(h) == r.cert);
    CHECK(*store->HeightByHash(r.block_hash) == h);
  }
  CHECK(*store->BlockByHeight(4) == std::nullopt);
  CHECK(*store->CertByHeight(0) == std::nullopt);
  // Extra writes landed, including the delete.
  CHECK(*kv.Get(Column::kState, "latest") == B(HeightKey(3)));
  CHECK(*kv.Get(Column::kState, "tmp/" + HeightKey(2)) == std::nullopt);
  CHECK(CheckChain(kv, 3) == "");

  // A new BlockStore over the same store picks up the head.
  auto reopened = OpenOk(&kv);
  CHECK(reopened->head_height() == 3);
  CHECK(reopened->head_hash() == ChainBlockHash(3));
  CHECK(reopened->Commit(ChainRecord(4)).ok());
}

TEST_CASE("storage: BlockStore rejects a height other than head+1 and changes nothing",
          "[storage][block]") {
  MemKvStore kv;
  auto store = OpenOk(&kv);
  CHECK(store->Commit(ChainRecord(2)).code() == StatusCode::kFailedPrecondition);
  BlockStore::CommitRecord zero = ChainRecord(1);
  zero.height = 0;
  CHECK(store->Commit(zero).code() == StatusCode::kFailedPrecondition);
  CHECK(DumpAll(kv).empty());

  REQUIRE(store->Commit(ChainRecord(1)).ok());
  REQUIRE(store->Commit(ChainRecord(2)).ok());
  const testing::Dump before = DumpAll(kv);
  for (uint64_t bad : {uint64_t{1}, uint64_t{2}, uint64_t{4}, uint64_t{100}}) {
    INFO("height " << bad);
    Status s = store->Commit(ChainRecord(bad));
    CHECK(s.code() == StatusCode::kFailedPrecondition);
    CHECK(s.message().find("expected 3") != std::string::npos);
  }
  CHECK(DumpAll(kv) == before);
  CHECK(store->head_height() == 2);
  CHECK(store->head_hash() == ChainBlockHash(2));
}

TEST_CASE("storage: BlockStore rejects extra writes to keys it owns", "[storage][block]") {
  MemKvStore kv;
  auto store = OpenOk(&kv);
  REQUIRE(store->Commit(ChainRecord(1)).ok());
  const testing::Dump before = DumpAll(kv);
  struct Case {
    Column column;
    std::string key;
  };
  for (const Case& c : {Case{Column::kBlocks, HeightKey(5)}, Case{Column::kCerts, "x"},
                        Case{Column::kMeta, "head"}, Case{Column::kIndex, "blk:abc"}}) {
    INFO(ColumnName(c.column) << " " << c.key);
    BlockStore::CommitRecord r = ChainRecord(2);
    r.extra.Put(c.column, c.key, B("sneaky"));
    CHECK(store->Commit(r).code() == StatusCode::kInvalidArgument);
  }
  CHECK(DumpAll(kv) == before);
  CHECK(store->head_height() == 1);
  // Other keys in kMeta and kIndex are fine.
  BlockStore::CommitRecord ok = ChainRecord(2);
  ok.extra.Put(Column::kMeta, "executed", B("2"));
  CHECK(store->Commit(ok).ok());
}

TEST_CASE("storage: A failed commit write leaves no trace and can be retried", "[storage][block]") {
  MemKvStore base;
  FaultInjectingKvStore kv(&base);
  auto store = OpenOk(&kv);
  REQUIRE(store->Commit(ChainRecord(1)).ok());
  const testing::Dump before = DumpAll(base);
  kv.FailNextWrite();
  CHECK(store->Commit(ChainRecord(2)).code() == StatusCode::kIoError);
  CHECK(DumpAll(base) == before);
  CHECK(store->head_height() == 1);
  REQUIRE(store->Commit(ChainRecord(2)).ok());
  CHECK(CheckChain(base, 2) == "");
}

TEST_CASE("storage: BlockStore::Open detects an inconsistent store", "[storage][block]") {
  MemKvStore kv;
  {
    auto store = OpenOk(&kv);
    REQUIRE(store->Commit(ChainRecord(1)).ok());
    REQUIRE(store->Commit(ChainRecord(2)).ok());
  }
  auto expect_corruption = [&kv](const char* what) {
    INFO(what);
    auto store = BlockStore::Open(&kv);
    REQUIRE_FALSE(store.ok());
    INFO(store.status().ToString());
    CHECK(store.status().code() == StatusCode::kCorruption);
  };
  SECTION("head block missing") {
    REQUIRE(kv.Delete(Column::kBlocks, HeightKey(2), false).ok());
    expect_corruption("block");
  }
  SECTION("head certificate missing") {
    REQUIRE(kv.Delete(Column::kCerts, HeightKey(2), false).ok());
    expect_corruption("cert");
  }
  SECTION("head hash index missing") {
    std::string key = "blk:";
    Hash h = ChainBlockHash(2);
    key.append(reinterpret_cast<const char*>(h.data()), h.size());
    REQUIRE(kv.Delete(Column::kIndex, key, false).ok());
    expect_corruption("index");
  }
  SECTION("malformed head pointer") {
    REQUIRE(kv.Put(Column::kMeta, "head", B("short"), false).ok());
    expect_corruption("head");
  }
  SECTION("block above the head") {
    REQUIRE(kv.Put(Column::kBlocks, HeightKey(3), B("half a block"), false).ok());
    expect_corruption("above");
  }
  SECTION("blocks but no head pointer") {
    REQUIRE(kv.Delete(Column::kMeta, "head", false).ok());
    expect_corruption("no head");
  }
}

TEST_CASE("storage: BlockStore over RocksDB survives reopen", "[storage][block][rocks]") {
  testing::TempDir dir;
  {
    auto kv = RocksKvStore::Open(dir.path());
    REQUIRE(kv.ok());
    auto store = OpenOk(kv->get());
    for (uint64_t h = 1; h <= 5; ++h) REQUIRE(store->Commit(ChainRecord(h)).ok());
  }
  auto kv = RocksKvStore::Open(dir.path());
  REQUIRE(kv.ok());
  uint64_t head = 0;
  CHECK(CheckChain(**kv, 5, &head) == "");
  CHECK(head == 5);
}

TEST_CASE("storage: ConsensusLog stores, overwrites, deletes and loads in key order",
          "[storage][consensus]") {
  MemKvStore base;
  FaultInjectingKvStore kv(&base);
  ConsensusLog log(&kv);
  REQUIRE(log.Put("view", B("1")).ok());
  REQUIRE(log.Put("vote/2", B("v2")).ok());
  REQUIRE(log.Put("vote/1", B("v1")).ok());
  REQUIRE(log.Put("view", B("2")).ok());
  REQUIRE(log.Put("vote/2", Bytes{}).ok());  // empty = delete
  REQUIRE(log.PutAll({{"a", B("x")}, {"vote/1", Bytes{}}, {"b", B("y")}}).ok());
  // Every Put is synced: a crash loses none of it.
  REQUIRE(kv.SimulateCrash().ok());
  auto loaded = ConsensusLog(&base).LoadAll();
  REQUIRE(loaded.ok());
  std::vector<std::pair<std::string, Bytes>> expected = {
      {"a", B("x")}, {"b", B("y")}, {"view", B("2")}};
  CHECK(*loaded == expected);
  // Consensus keys live in their own column.
  CHECK(*base.Get(Column::kState, "view") == std::nullopt);
}

}  // namespace
}  // namespace licenced::storage

namespace licenced::storage {
namespace {

TEST_CASE("storage: unsynced commits become durable as a prefix with the next synced one",
          "[storage][block]") {
  MemKvStore mem;
  FaultInjectingKvStore kv(&mem);
  {
    auto store = OpenOk(&kv);
    BlockStore::CommitRecord r1 = ChainRecord(1);
    r1.sync = false;
    REQUIRE(store->Commit(r1).ok());
    BlockStore::CommitRecord r2 = ChainRecord(2);
    r2.sync = false;
    REQUIRE(store->Commit(r2).ok());
    CHECK(store->head_height() == 2);
    CHECK(kv.unsynced_write_count() == 2);
  }
  REQUIRE(kv.SimulateCrash().ok());
  {
    auto store = OpenOk(&kv);
    CHECK(store->head_height() == 0);  // both lost, nothing half-written
    BlockStore::CommitRecord r1 = ChainRecord(1);
    r1.sync = false;
    REQUIRE(store->Commit(r1).ok());
    REQUIRE(store->Commit(ChainRecord(2)).ok());  // synced: makes 1 durable too
    BlockStore::CommitRecord r3 = ChainRecord(3);
    r3.sync = false;
    REQUIRE(store->Commit(r3).ok());
  }
  REQUIRE(kv.SimulateCrash().ok());
  auto store = OpenOk(&kv);
  CHECK(store->head_height() == 2);
  CHECK(CheckChain(kv, 2) == "");
}

}  // namespace
}  // namespace licenced::storage
