// ConsensusLog: durable home of the consensus replica's Persist effects
// (consensus::Persist{key, value}), kept in Column::kConsensus.
//
// Every Put is a synced write, so it is durable before the host runs the
// next effect, as the Replica contract requires. LoadAll() returns what
// Replica::Create expects as `persisted` on restart.
//
// Thread-safe (it only forwards to the thread-safe KvStore).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "node/storage/kv_store.h"

namespace licenced::storage {

class ConsensusLog {
 public:
  // REQUIRES: kv outlives the ConsensusLog.
  explicit ConsensusLog(KvStore* kv) : kv_(kv) {}

  // Synced. An empty value deletes the key.
  Status Put(std::string_view key, ByteView value);
  // Several Persist effects in one atomic synced write (same rules as Put).
  Status PutAll(const std::vector<std::pair<std::string, Bytes>>& entries);
  // Every stored (key, value), in key order.
  Result<std::vector<std::pair<std::string, Bytes>>> LoadAll() const;

 private:
  KvStore* const kv_;
};

}  // namespace licenced::storage
