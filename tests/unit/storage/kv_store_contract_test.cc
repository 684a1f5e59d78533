// KvStore contract tests: every implementation (RocksDB, in-memory, and the
// fault-injecting wrapper over each) must behave identically for get, put,
// delete, atomic batches, column separation, prefix scans and iterators.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "node/storage/fault_injecting_kv_store.h"
#include "node/storage/kv_store.h"
#include "node/storage/mem_kv_store.h"
#include "node/storage/rocks_kv_store.h"
#include "tests/unit/storage/storage_test_util.h"

namespace licenced::storage {
namespace {

using testing::TempDir;

// One implementation under test, with whatever it needs kept alive.
struct Subject {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<KvStore> base;
  std::unique_ptr<KvStore> wrapper;
  KvStore& store() { return wrapper ? *wrapper : *base; }
};

Subject Make(const std::string& kind) {
  Subject s;
  if (kind == "mem" || kind == "fault(mem)") {
    s.base = std::make_unique<MemKvStore>();
  } else {
    s.dir = std::make_unique<TempDir>();
    auto rocks = RocksKvStore::Open(s.dir->path());
    REQUIRE(rocks.ok());
    s.base = std::move(rocks).value();
  }
  if (kind.starts_with("fault")) s.wrapper = std::make_unique<FaultInjectingKvStore>(s.base.get());
  return s;
}

Bytes B(std::string_view s) { return ToBytes(s); }

std::optional<Bytes> GetOk(KvStore& kv, Column c, std::string_view key) {
  auto v = kv.Get(c, key);
  REQUIRE(v.ok());
  return *v;
}

std::vector<std::string> Keys(const std::vector<std::pair<std::string, Bytes>>& entries) {
  std::vector<std::string> keys;
  for (const auto& e : entries) keys.push_back(e.first);
  return keys;
}

#define FOR_EACH_STORE()                                                         \
  const std::string kind =                                                       \
      GENERATE(as<std::string>(), "mem", "rocks", "fault(mem)", "fault(rocks)"); \
  INFO("store: " << kind);                                                       \
  Subject subject = Make(kind);                                                  \
  KvStore& kv = subject.store()

TEST_CASE("storage: KvStore get, put, overwrite and delete", "[storage][kv]") {
  FOR_EACH_STORE();
  CHECK(GetOk(kv, Column::kState, "k") == std::nullopt);
  REQUIRE(kv.Put(Column::kState, "k", B("v1"), false).ok());
  CHECK(GetOk(kv, Column::kState, "k") == B("v1"));
  REQUIRE(kv.Put(Column::kState, "k", B("v2"), true).ok());
  CHECK(GetOk(kv, Column::kState, "k") == B("v2"));
  REQUIRE(kv.Delete(Column::kState, "k", true).ok());
  CHECK(GetOk(kv, Column::kState, "k") == std::nullopt);
  // Deleting a missing key is not an error.
  CHECK(kv.Delete(Column::kState, "never", false).ok());
  // An empty value is a present value, distinct from absence.
  REQUIRE(kv.Put(Column::kState, "empty", Bytes{}, false).ok());
  CHECK(GetOk(kv, Column::kState, "empty") == Bytes{});
  // Keys are arbitrary bytes, including NUL and 0xff.
  const std::string binary("a\0b\xff", 4);
  REQUIRE(kv.Put(Column::kState, binary, B("bin"), false).ok());
  CHECK(GetOk(kv, Column::kState, binary) == B("bin"));
  CHECK(GetOk(kv, Column::kState, "a") == std::nullopt);
}

TEST_CASE("storage: KvStore columns are independent key spaces", "[storage][kv]") {
  FOR_EACH_STORE();
  for (Column c : kAllColumns) {
    REQUIRE(kv.Put(c, "same-key", B(ColumnName(c)), false).ok());
  }
  for (Column c : kAllColumns) CHECK(GetOk(kv, c, "same-key") == B(ColumnName(c)));
  REQUIRE(kv.Delete(Column::kState, "same-key", false).ok());
  CHECK(GetOk(kv, Column::kState, "same-key") == std::nullopt);
  CHECK(GetOk(kv, Column::kMeta, "same-key") == B("meta"));
  auto scan = kv.ScanPrefix(Column::kBlocks, "", KvStore::kNoLimit);
  REQUIRE(scan.ok());
  CHECK(scan->size() == 1);
}

TEST_CASE("storage: KvStore applies a batch in order across columns", "[storage][kv]") {
  FOR_EACH_STORE();
  REQUIRE(kv.Put(Column::kState, "gone", B("x"), false).ok());
  WriteBatch batch;
  batch.Put(Column::kState, "a", B("1"));
  batch.Put(Column::kBlocks, "b", B("2"));
  batch.Delete(Column::kState, "gone");
  batch.Put(Column::kState, "twice", B("first"));
  batch.Put(Column::kState, "twice", B("second"));
  batch.Put(Column::kState, "put-then-delete", B("x"));
  batch.Delete(Column::kState, "put-then-delete");
  CHECK(batch.size() == 7);
  REQUIRE(kv.Write(batch, true).ok());
  CHECK(GetOk(kv, Column::kState, "a") == B("1"));
  CHECK(GetOk(kv, Column::kBlocks, "b") == B("2"));
  CHECK(GetOk(kv, Column::kState, "gone") == std::nullopt);
  CHECK(GetOk(kv, Column::kState, "twice") == B("second"));
  CHECK(GetOk(kv, Column::kState, "put-then-delete") == std::nullopt);
  // An empty batch is fine.
  CHECK(kv.Write(WriteBatch{}, true).ok());
}

TEST_CASE("storage: KvStore ScanPrefix returns matching keys in unsigned byte order",
          "[storage][kv]") {
  FOR_EACH_STORE();
  const std::vector<std::string> inserted = {
      "b", "ab", "a", "abc", "a\x7f", "a\x80", "a\xff", "aa", "\x01", std::string("a\0", 2), "ac"};
  for (const std::string& k : inserted) REQUIRE(kv.Put(Column::kIndex, k, B(k), false).ok());
  REQUIRE(kv.Put(Column::kState, "a-other-column", B("x"), false).ok());

  auto all_a = kv.ScanPrefix(Column::kIndex, "a", KvStore::kNoLimit);
  REQUIRE(all_a.ok());
  // 'a' (0x61) < 0x7f < 0x80 < 0xff: bytes compare unsigned.
  const std::vector<std::string> expected = {
      "a", std::string("a\0", 2), "aa", "ab", "abc", "ac", "a\x7f", "a\x80", "a\xff"};
  CHECK(Keys(*all_a) == expected);
  for (const auto& [key, value] : *all_a) CHECK(value == B(key));

  auto limited = kv.ScanPrefix(Column::kIndex, "a", 3);
  REQUIRE(limited.ok());
  CHECK(Keys(*limited) == std::vector<std::string>(expected.begin(), expected.begin() + 3));

  auto ab = kv.ScanPrefix(Column::kIndex, "ab", KvStore::kNoLimit);
  REQUIRE(ab.ok());
  CHECK(Keys(*ab) == std::vector<std::string>{"ab", "abc"});

  auto everything = kv.ScanPrefix(Column::kIndex, "", KvStore::kNoLimit);
  REQUIRE(everything.ok());
  CHECK(everything->size() == inserted.size());
  CHECK(everything->front().first == "\x01");
  CHECK(everything->back().first == "b");

  auto none = kv.ScanPrefix(Column::kIndex, "z", KvStore::kNoLimit);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("storage: KvStore iterator Seek, SeekForPrev, Next and Prev", "[storage][kv]") {
  FOR_EACH_STORE();
  {
    auto empty = kv.NewIterator(Column::kMeta);
    empty->SeekToFirst();
    CHECK_FALSE(empty->Valid());
    empty->SeekToLast();
    CHECK_FALSE(empty->Valid());
    empty->Seek("x");
    CHECK_FALSE(empty->Valid());
    CHECK(empty->status().ok());
  }
  for (const char* k : {"b", "d", "f"}) REQUIRE(kv.Put(Column::kMeta, k, B(k), false).ok());
  auto it = kv.NewIterator(Column::kMeta);

  it->Seek("d");  // exact
  REQUIRE(it->Valid());
  CHECK(it->key() == "d");
  CHECK(ToString(it->value()) == "d");
  it->Seek("c");  // between: next greater
  REQUIRE(it->Valid());
  CHECK(it->key() == "d");
  it->Seek("a");  // before the first
  REQUIRE(it->Valid());
  CHECK(it->key() == "b");
  it->Seek("g");  // past the end
  CHECK_FALSE(it->Valid());

  it->SeekForPrev("d");  // exact
  REQUIRE(it->Valid());
  CHECK(it->key() == "d");
  it->SeekForPrev("e");  // between: previous smaller
  REQUIRE(it->Valid());
  CHECK(it->key() == "d");
  it->SeekForPrev("z");  // past the end: last
  REQUIRE(it->Valid());
  CHECK(it->key() == "f");
  it->SeekForPrev("a");  // before the first
  CHECK_FALSE(it->Valid());

  std::vector<std::string> forward, backward;
  for (it->SeekToFirst(); it->Valid(); it->Next()) forward.emplace_back(it->key());
  for (it->SeekToLast(); it->Valid(); it->Prev()) backward.emplace_back(it->key());
  CHECK(forward == std::vector<std::string>{"b", "d", "f"});
  CHECK(backward == std::vector<std::string>{"f", "d", "b"});

  it->Seek("d");
  it->Next();
  REQUIRE(it->Valid());
  CHECK(it->key() == "f");
  it->Prev();
  it->Prev();
  REQUIRE(it->Valid());
  CHECK(it->key() == "b");
  it->Prev();
  CHECK_FALSE(it->Valid());
  CHECK(it->status().ok());
}

TEST_CASE("storage: KvStore iterator sees a snapshot taken at creation", "[storage][kv]") {
  FOR_EACH_STORE();
  REQUIRE(kv.Put(Column::kState, "a", B("old"), false).ok());
  auto it = kv.NewIterator(Column::kState);
  REQUIRE(kv.Put(Column::kState, "a", B("new"), false).ok());
  REQUIRE(kv.Put(Column::kState, "b", B("added"), false).ok());
  std::vector<std::string> seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    seen.push_back(std::string(it->key()) + "=" + ToString(it->value()));
  }
  CHECK(seen == std::vector<std::string>{"a=old"});
}

}  // namespace
}  // namespace licenced::storage
