// RocksKvStore: the production KvStore, one RocksDB database per data dir
// with one column family per storage::Column ("blocks", "certs", "state",
// "consensus", "index", "meta").
//
// Options are sized for a node whose RSS target is <= 250 MiB: a shared LRU
// block cache, bounded memtables, bounded open files, LZ4 compression when
// the library supports it. Write(batch, sync) maps to a RocksDB WriteBatch
// with WriteOptions::sync = sync (WAL fsync before returning).
//
// Errors carry the RocksDB message and the data dir; a dir locked by another
// process gives an IoError asking whether another licenced is running on it.
//
// Thread-safe (RocksDB is).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "node/storage/kv_store.h"

namespace licenced::storage {

class RocksKvStore final : public KvStore {
 public:
  struct Options {
    size_t block_cache_bytes = 32u << 20;         // shared by all column families
    size_t write_buffer_bytes = 8u << 20;         // per memtable
    size_t total_write_buffer_bytes = 64u << 20;  // all memtables together
    int max_open_files = 256;
    int max_background_jobs = 2;
  };

  // Opens the database in `dir`, creating the dir, the database and any
  // missing column family.
  static Result<std::unique_ptr<RocksKvStore>> Open(const std::string& dir);
  static Result<std::unique_ptr<RocksKvStore>> Open(const std::string& dir, const Options& options);

  ~RocksKvStore() override;

  Result<std::optional<Bytes>> Get(Column column, std::string_view key) override;
  Status Write(const WriteBatch& batch, bool sync) override;
  Result<std::vector<std::pair<std::string, Bytes>>> ScanPrefix(Column column,
                                                                std::string_view prefix,
                                                                size_t limit) override;
  std::unique_ptr<Iterator> NewIterator(Column column) override;

  // A RocksDB integer property (e.g. "rocksdb.estimate-num-keys") summed over
  // all column families, for /metrics.
  Result<uint64_t> IntProperty(std::string_view name);
  const std::string& dir() const { return dir_; }

 private:
  struct Impl;
  explicit RocksKvStore(std::string dir);

  std::string dir_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace licenced::storage
