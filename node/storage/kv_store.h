// KvStore: the narrow storage interface every licenced component persists
// through (get, put, delete, atomic batch, ordered iteration).
//
// Like leveldb::Env for LevelDB, this is the one seam for durable I/O: the
// node runs on RocksKvStore, unit tests on MemKvStore, and crash tests wrap
// either in FaultInjectingKvStore, which can drop unsynced writes or fail
// chosen writes.
//
// Durability: Write(batch, sync=true) returns OK only once the batch (and
// every earlier write) survives a crash of the process or the machine. A
// write with sync=false may be lost by a crash, but never partially: a batch
// is always applied entirely or not at all.
//
// Thread-safety: every KvStore implementation is thread-safe. An Iterator is
// not: use it from one thread at a time.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "node/storage/write_batch.h"

namespace licenced::storage {

// Ordered cursor over one column. An iterator sees a consistent snapshot of
// the column taken when it was created; later writes are not visible.
//
// Not thread-safe. REQUIRES: the KvStore that created it outlives it.
class Iterator {
 public:
  virtual ~Iterator() = default;

  // True iff the iterator is positioned at an entry.
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first entry with key >= target.
  virtual void Seek(std::string_view target) = 0;
  // Positions at the last entry with key <= target.
  virtual void SeekForPrev(std::string_view target) = 0;
  // REQUIRES: Valid()
  virtual void Next() = 0;
  // REQUIRES: Valid()
  virtual void Prev() = 0;
  // REQUIRES: Valid(). Views stay valid until the iterator moves.
  virtual std::string_view key() const = 0;
  virtual ByteView value() const = 0;
  // Not OK if iteration hit an I/O error or corruption (then !Valid()).
  virtual Status status() const = 0;
};

class KvStore {
 public:
  static constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();

  KvStore() = default;
  KvStore(const KvStore&) = delete;
  KvStore& operator=(const KvStore&) = delete;
  virtual ~KvStore() = default;

  // The value of `key`, std::nullopt if absent, or an IoError/Corruption.
  virtual Result<std::optional<Bytes>> Get(Column column, std::string_view key) = 0;

  // Applies every operation of `batch` atomically. With sync=true the batch is
  // durable when this returns OK. On error nothing of the batch is applied.
  virtual Status Write(const WriteBatch& batch, bool sync) = 0;

  // Single-operation conveniences over Write().
  virtual Status Put(Column column, std::string_view key, ByteView value, bool sync);
  virtual Status Delete(Column column, std::string_view key, bool sync);

  // Up to `limit` entries whose key starts with `prefix`, in key order.
  // The default implementation uses NewIterator().
  virtual Result<std::vector<std::pair<std::string, Bytes>>> ScanPrefix(Column column,
                                                                        std::string_view prefix,
                                                                        size_t limit);

  // A new iterator over `column`, initially not positioned (call a Seek*).
  virtual std::unique_ptr<Iterator> NewIterator(Column column) = 0;
};

}  // namespace licenced::storage
