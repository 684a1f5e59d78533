#include "node/storage/rocks_kv_store.h"
#include "core/op_counters.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>
#include <system_error>
#include <utility>

namespace licenced::storage {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
rocksdb::Slice ToSlice(ByteView b) {
  return rocksdb::Slice(reinterpret_cast<const char*>(b.data()), b.size());
}

// Maps a RocksDB status to ours, naming the data dir and what we were doing.
Status FromRocks(const rocksdb::Status& s, const std::string& dir, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string message = std::string(what) + " (RocksDB at " + dir + "): " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(std::move(message));
  if (s.IsInvalidArgument() || s.IsNotSupported()) {
    return Status::InvalidArgument(std::move(message));
  }
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    message += " (is another licenced running on this data dir?)";
  }
  return Status::IoError(std::move(message));
}

class RocksIterator final : public Iterator {
 public:
  RocksIterator(std::unique_ptr<rocksdb::Iterator> it, std::string dir)
      : it_(std::move(it)), dir_(std::move(dir)) {}

  bool Valid() const override { return it_->Valid(); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override { it_->Seek(ToSlice(target)); }
  void SeekForPrev(std::string_view target) override { it_->SeekForPrev(ToSlice(target)); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return std::string_view(k.data(), k.size());
  }
  ByteView value() const override {
    rocksdb::Slice v = it_->value();
    return ByteView(reinterpret_cast<const uint8_t*>(v.data()), v.size());
  }
  Status status() const override { return FromRocks(it_->status(), dir_, "iterating"); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string dir_;
};

rocksdb::CompressionType ChooseCompression() {
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  if (std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end()) {
    return rocksdb::kLZ4Compression;
  }
  return rocksdb::kNoCompression;
}

}  // namespace

struct RocksKvStore::Impl {
  std::unique_ptr<rocksdb::DB> db;
  // Handles of every column family opened (ours and any unknown extra ones);
  // ours are also indexed by Column.
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::array<rocksdb::ColumnFamilyHandle*, kNumColumns> columns{};
};

RocksKvStore::RocksKvStore(std::string dir)
    : dir_(std::move(dir)), impl_(std::make_unique<Impl>()) {}

RocksKvStore::~RocksKvStore() {
  if (!impl_->db) return;
  for (rocksdb::ColumnFamilyHandle* handle : impl_->handles) {
    impl_->db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  impl_->db->Close().PermitUncheckedError();
}

Result<std::unique_ptr<RocksKvStore>> RocksKvStore::Open(const std::string& dir) {
  return Open(dir, Options{});
}

Result<std::unique_ptr<RocksKvStore>> RocksKvStore::Open(const std::string& dir,
                                                         const Options& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create data dir " + dir + ": " + ec.message());

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_open_files = options.max_open_files;
  db_options.max_background_jobs = options.max_background_jobs;
  db_options.db_write_buffer_size = options.total_write_buffer_bytes;
  db_options.keep_log_file_num = 3;
  db_options.max_log_file_size = 4u << 20;
  db_options.max_total_wal_size = 4 * options.total_write_buffer_bytes;

  rocksdb::BlockBasedTableOptions table;
  // Index and filter blocks live in the block cache (so memory stays bounded
  // as the ledger grows) in its high-priority half, partitioned so that a
  // point read loads only the partitions it needs. With whole filters in the
  // normal pool, data blocks evicted them and every Get re-read a filter
  // block: a sixth of the executor's CPU (docs/performance.md).
  rocksdb::LRUCacheOptions cache_options;
  cache_options.capacity = options.block_cache_bytes;
  cache_options.high_pri_pool_ratio = 0.5;
  table.block_cache = rocksdb::NewLRUCache(cache_options);
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.pin_top_level_index_and_filter = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.write_buffer_size = options.write_buffer_bytes;
  cf_options.max_write_buffer_number = 2;
  // The first two levels hold the recently written data that execution reads
  // back (state values, the state map's upper nodes): kept uncompressed,
  // since decompressing blocks that miss the cache was a quarter of a node's
  // CPU under load (docs/performance.md). Older levels are compressed.
  cf_options.compression = ChooseCompression();
  cf_options.compression_per_level.assign(cf_options.num_levels, cf_options.compression);
  cf_options.compression_per_level[0] = rocksdb::kNoCompression;
  cf_options.compression_per_level[1] = rocksdb::kNoCompression;

  // Open every column family the database has (ours plus any that a newer
  // version added), creating ours if missing.
  std::vector<std::string> names;
  for (Column column : kAllColumns) names.emplace_back(ColumnName(column));
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, dir, &existing).ok()) {
    for (const std::string& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  if (std::find(names.begin(), names.end(), rocksdb::kDefaultColumnFamilyName) == names.end()) {
    names.push_back(rocksdb::kDefaultColumnFamilyName);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, cf_options);

  std::unique_ptr<RocksKvStore> store(new RocksKvStore(dir));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::Options(db_options, cf_options), dir, descriptors,
                                        &store->impl_->handles, &raw);
  if (!s.ok()) return FromRocks(s, dir, "cannot open the database");
  store->impl_->db.reset(raw);
  for (size_t i = 0; i < kNumColumns; ++i) store->impl_->columns[i] = store->impl_->handles[i];
  return store;
}

Result<std::optional<Bytes>> RocksKvStore::Get(Column column, std::string_view key) {
  CountOp(Op::kStoreRead);
  rocksdb::PinnableSlice value;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->columns[ColumnIndex(column)],
                                     ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<Bytes>();
  LIC_RETURN_IF_ERROR(FromRocks(s, dir_, std::string("reading ") + ColumnName(column)));
  const auto* data = reinterpret_cast<const uint8_t*>(value.data());
  return std::optional<Bytes>(Bytes(data, data + value.size()));
}

Status RocksKvStore::Write(const WriteBatch& batch, bool sync) {
  // Ops go into RocksDB in (column, key) order, keeping the given order for
  // equal keys so the last op on a key still wins. The memtable's skip list
  // inserts sorted keys much faster (each insert starts from the previous
  // one's position); a block commit carries tens of thousands of keys.
  const auto& ops = batch.ops();
  std::vector<uint32_t> order(ops.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&ops](uint32_t a, uint32_t b) {
    if (ops[a].column != ops[b].column) return ops[a].column < ops[b].column;
    return ops[a].key < ops[b].key;
  });
  rocksdb::WriteBatch rocks_batch;
  for (uint32_t i : order) {
    const WriteBatch::Op& op = ops[i];
    rocksdb::ColumnFamilyHandle* cf = impl_->columns[ColumnIndex(op.column)];
    rocksdb::Status s = op.kind == WriteBatch::Op::Kind::kPut
                            ? rocks_batch.Put(cf, ToSlice(op.key), ToSlice(op.value))
                            : rocks_batch.Delete(cf, ToSlice(op.key));
    LIC_RETURN_IF_ERROR(FromRocks(s, dir_, "building a write batch"));
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  return FromRocks(impl_->db->Write(write_options, &rocks_batch), dir_, "writing");
}

Result<std::vector<std::pair<std::string, Bytes>>> RocksKvStore::ScanPrefix(Column column,
                                                                            std::string_view prefix,
                                                                            size_t limit) {
  std::vector<std::pair<std::string, Bytes>> out;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->columns[ColumnIndex(column)]));
  for (it->Seek(ToSlice(prefix)); it->Valid() && out.size() < limit; it->Next()) {
    if (!it->key().starts_with(ToSlice(prefix))) break;
    const auto* data = reinterpret_cast<const uint8_t*>(it->value().data());
    out.emplace_back(it->key().ToString(), Bytes(data, data + it->value().size()));
  }
  LIC_RETURN_IF_ERROR(FromRocks(it->status(), dir_, std::string("scanning ") + ColumnName(column)));
  return out;
}

std::unique_ptr<Iterator> RocksKvStore::NewIterator(Column column) {
  return std::make_unique<RocksIterator>(
      std::unique_ptr<rocksdb::Iterator>(
          impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->columns[ColumnIndex(column)])),
      dir_);
}

Result<uint64_t> RocksKvStore::IntProperty(std::string_view name) {
  uint64_t total = 0;
  for (rocksdb::ColumnFamilyHandle* cf : impl_->columns) {
    uint64_t value = 0;
    if (!impl_->db->GetIntProperty(cf, ToSlice(name), &value)) {
      return Status::InvalidArgument("unknown RocksDB integer property " + std::string(name));
    }
    total += value;
  }
  return total;
}

}  // namespace licenced::storage
