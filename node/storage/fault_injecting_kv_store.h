// FaultInjectingKvStore: a KvStore wrapper for crash tests, modelled on
// LevelDB's db/fault_injection_test.cc.
//
// Writes go straight through to the wrapped store (think: the OS page
// cache), but a write with sync=false stays "unsynced" until a later write
// with sync=true makes it and everything before it durable. SimulateCrash()
// undoes every unsynced write, leaving the wrapped store exactly as it was
// at the last sync: what a machine crash leaves on disk.
//
// Faults are armed by write index (counted over Write/Put/Delete calls from
// the moment they are armed: 0 = the next write):
//   kFailWrite        the write returns IoError and applies nothing; the
//                     store keeps working (a transient disk error).
//   kCrashMidBatch    the process dies while writing the batch: nothing of
//                     it is applied (a torn WAL record is discarded on
//                     recovery) and unsynced writes are dropped.
//   kCrashBeforeSync  the batch reaches the page cache, then the process
//                     dies before the fsync: the batch and every unsynced
//                     write are lost.
//   kCrashAfterSync   the batch is durable, but the process dies before the
//                     caller learns it: Write returns IoError.
// After a crash every Write fails with IoError("simulated crash") until
// SimulateCrash() is called, which plays the part of the restart. Reads
// always pass through.
//
// Thread-safe (one mutex around every write).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "node/storage/kv_store.h"

namespace licenced::storage {

class FaultInjectingKvStore final : public KvStore {
 public:
  enum class Fault { kFailWrite, kCrashMidBatch, kCrashBeforeSync, kCrashAfterSync };

  // REQUIRES: base outlives this wrapper.
  explicit FaultInjectingKvStore(KvStore* base) : base_(base) {}

  Result<std::optional<Bytes>> Get(Column column, std::string_view key) override;
  Status Write(const WriteBatch& batch, bool sync) override;
  std::unique_ptr<Iterator> NewIterator(Column column) override;

  // Arms `fault` for the write with index `n` from now (0 = the next one).
  // Replaces any fault armed before.
  void InjectAt(uint64_t n, Fault fault);
  // InjectAt(0, Fault::kFailWrite).
  void FailNextWrite();
  // The next `n` writes succeed; every write after them fails with IoError
  // and applies nothing, until ResetFaults() (a disk that stays broken).
  void FailWritesAfter(uint64_t n);
  // Disarms every fault (does not undo a crash; see SimulateCrash()).
  void ResetFaults();

  // Drops every unsynced write from the wrapped store and clears the crashed
  // state: the wrapped store now holds what a restart would find.
  // Returns the error if the wrapped store fails to undo.
  Status SimulateCrash();

  bool crashed() const;
  // Write calls seen since construction, including failed ones.
  uint64_t write_count() const;
  // Writes applied with sync=false since the last synced write.
  size_t unsynced_write_count() const;

 private:
  // One unsynced write's undo record: prior values of the keys it touched.
  struct Undo {
    Column column;
    std::string key;
    std::optional<Bytes> prior;
  };

  Status ApplyLocked(const WriteBatch& batch, bool sync) REQUIRES(mu_);
  Status DropUnsyncedLocked() REQUIRES(mu_);

  KvStore* const base_;
  mutable Mutex mu_;
  uint64_t write_count_ GUARDED_BY(mu_) = 0;
  std::optional<uint64_t> fault_at_ GUARDED_BY(mu_);  // absolute write index
  Fault fault_ GUARDED_BY(mu_) = Fault::kFailWrite;
  std::optional<uint64_t> fail_from_ GUARDED_BY(mu_);  // absolute write index
  bool crashed_ GUARDED_BY(mu_) = false;
  std::vector<std::vector<Undo>> unsynced_ GUARDED_BY(mu_);  // one entry per unsynced write
};

}  // namespace licenced::storage
