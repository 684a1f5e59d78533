// WriteBatch: an ordered list of puts and deletes that a KvStore applies
// atomically (all or nothing) with KvStore::Write.
//
// Modelled on leveldb::WriteBatch. Operations are applied in the order they
// were added, so a later Put of the same key wins over an earlier one.
//
// Thread-compatible: a WriteBatch is a plain value; it needs external
// synchronisation only if several threads mutate the same batch.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"

namespace licenced::storage {

// The column families of a licenced data dir. Each column is an independent,
// ordered key space (keys compare as unsigned bytes, like std::string).
enum class Column {
  kBlocks,      // BlockStore: encoded blocks by big-endian height
  kCerts,       // BlockStore: encoded commit certificates by big-endian height
  kState,       // the node: chaincode state and state-map nodes
  kConsensus,   // ConsensusLog: the replica's Persist effects
  kIndex,       // BlockStore (block hash -> height) and the node's tx indexes
  kMeta,        // BlockStore head pointer and other small metadata
  kStateNodes,  // the node: state-map nodes by version, then position (node/state_store.h)
};

inline constexpr Column kAllColumns[] = {Column::kBlocks,    Column::kCerts, Column::kState,
                                         Column::kConsensus, Column::kIndex, Column::kMeta,
                                         Column::kStateNodes};
inline constexpr size_t kNumColumns = std::size(kAllColumns);

// "blocks", "certs", "state", "consensus", "index", "meta", "state_nodes":
// the RocksDB column family names.
const char* ColumnName(Column column);
inline size_t ColumnIndex(Column column) { return static_cast<size_t>(column); }

class WriteBatch {
 public:
  struct Op {
    enum class Kind { kPut, kDelete };
    Kind kind;
    Column column;
    std::string key;
    Bytes value;  // empty for kDelete
  };

  WriteBatch() = default;
  WriteBatch(const WriteBatch&) = default;
  WriteBatch& operator=(const WriteBatch&) = default;
  WriteBatch(WriteBatch&&) noexcept = default;
  WriteBatch& operator=(WriteBatch&&) noexcept = default;

  void Put(Column column, std::string key, Bytes value);
  void Put(Column column, std::string_view key, ByteView value) {
    Put(column, std::string(key), Bytes(value.begin(), value.end()));
  }
  void Delete(Column column, std::string key);
  // Appends every operation of `other` after the ones already here.
  void Append(const WriteBatch& other);
  void Clear();

  // Number of operations.
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  // Sum of key and value sizes: a rough measure of the batch's weight.
  size_t ApproximateBytes() const { return approximate_bytes_; }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
  size_t approximate_bytes_ = 0;
};

}  // namespace licenced::storage
