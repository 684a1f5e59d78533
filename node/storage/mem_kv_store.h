// MemKvStore: an in-memory KvStore (one std::map per column) for tests.
//
// Every write is "durable" for as long as the object lives; wrap it in
// FaultInjectingKvStore to model crashes. Iterators copy the column at
// creation, so they are true snapshots (fine for test-sized data).
//
// Thread-safe (one mutex).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>

#include "core/mutex.h"
#include "node/storage/kv_store.h"

namespace licenced::storage {

class MemKvStore final : public KvStore {
 public:
  MemKvStore() = default;

  Result<std::optional<Bytes>> Get(Column column, std::string_view key) override;
  Status Write(const WriteBatch& batch, bool sync) override;
  std::unique_ptr<Iterator> NewIterator(Column column) override;

  // Number of entries in `column` (for tests).
  size_t Size(Column column) const;

 private:
  using Map = std::map<std::string, Bytes, std::less<>>;
  mutable Mutex mu_;
  std::array<Map, kNumColumns> columns_ GUARDED_BY(mu_);
};

}  // namespace licenced::storage
