// Keys the node writes into the KvStore beside the BlockStore's own, and the
// StateView the chaincode reads the latest executed state through.
//
// State-map nodes are keyed version first, in a column of their own: each
// block's nodes then form one key range above every earlier one, so RocksDB
// appends them (memtable inserts at the end, flushed files that overlap
// nothing and move down the levels without being rewritten) instead of
// merging them into the whole tree's key space on every compaction. Parents
// record their children's versions, so reads are exact keys; only the root
// of "the newest tree <= V" needs a seek (KvStateNodeReader::GetLatestNode).
//
// Layout (all owned by the executor):
//   kState  "s:" + key                         -> chaincode value
//   kStateNodes BE64(version) + position       -> state map node (core/state_map.h)
//   kState  "m:" + state::NodeKey(position, version) -> state map node in the earlier
//           layout of older ledgers (still read; nothing is written there any more)
//   kIndex  "tx:" + tx id (32 raw bytes)        -> TxRecord::Encode()
//   kIndex  "ev:" + BE64(height) + BE32(tx) + BE32(n) -> EventRecord::Encode()
//   kIndex  "root:" + BE64(height)              -> state root after executing height (32 bytes)
//
// KvStateView is read-only (Put/Delete are ignored: writes go through an
// OverlayView and a WriteBatch). Thread-safe for reads (the KvStore is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chaincode/state_view.h"
#include "core/bytes.h"
#include "core/mutex.h"
#include "core/state_map.h"
#include "core/status.h"
#include "core/thread_annotations.h"
#include "node/storage/kv_store.h"

namespace licenced::node {

inline constexpr std::string_view kStatePrefix = "s:";
inline constexpr std::string_view kTxPrefix = "tx:";
inline constexpr std::string_view kEventPrefix = "ev:";
inline constexpr std::string_view kRootPrefix = "root:";
inline constexpr std::string_view kStateNodePrefix = "m:";

std::string StateKey(std::string_view key);
std::string TxKey(const Hash& id);
std::string EventKey(uint64_t height, uint32_t tx_index, uint32_t n);
std::string EventHeightPrefix(uint64_t height);  // "ev:" + BE64(height)
std::string RootKey(uint64_t height);

// What the ledger recorded for one transaction id.
struct TxRecord {
  uint64_t height = 0;
  uint32_t index = 0;
  StatusCode code = StatusCode::kOk;
  std::string message;
  std::string result_json;

  Bytes Encode() const;
  static Result<TxRecord> Decode(ByteView data);
  bool operator==(const TxRecord&) const = default;
};

struct EventRecord {
  uint64_t height = 0;
  uint32_t tx_index = 0;
  Hash tx_id{};
  uint64_t timestamp_ms = 0;
  std::string kind;
  std::vector<std::string> orgs;
  std::string payload_json;

  Bytes Encode() const;
  static Result<EventRecord> Decode(ByteView data);
};

// Status code <-> name used on the wire ("OK", "PERMISSION_DENIED", ...).
const char* CodeName(StatusCode code);

class KvStateView final : public chaincode::StateView {
 public:
  explicit KvStateView(storage::KvStore* kv) : kv_(kv) {}
  std::optional<Bytes> Get(std::string_view key) const override;
  void Put(std::string_view, Bytes) override {}
  void Delete(std::string_view) override {}
  std::vector<std::pair<std::string, Bytes>> Scan(std::string_view prefix,
                                                  size_t limit) const override;

 private:
  storage::KvStore* kv_;
};

// State map nodes in kStateNodes, and those of older ledgers under "m:" in
// kState. Thread-safe.
class KvStateNodeReader final : public state::StateMapNodeReader {
 public:
  explicit KvStateNodeReader(storage::KvStore* kv) : kv_(kv) {}
  Result<std::optional<Bytes>> GetLatestNode(ByteView position,
                                             uint64_t max_version) const override;
  Result<std::optional<Bytes>> GetNode(ByteView position, uint64_t version) const override;

 private:
  // The newest root in kStateNodes of a version <= max_version, if any.
  Result<std::optional<Bytes>> NewestRoot(uint64_t max_version) const;
  // The earlier layout: SeekForPrev on "m:" + position + BE64(max_version).
  Result<std::optional<Bytes>> LegacyLatestNode(ByteView position, uint64_t max_version) const;

  storage::KvStore* kv_;
};
// Where a node of the state map (`node_key` = state::NodeKey(position,
// version)) is stored in kStateNodes: BE64(version) + position.
std::string StateNodeStoreKey(ByteView node_key);
// The earlier layout in kState: "m:" + node_key.
std::string StateNodeKey(ByteView node_key);

// Keeps the newest node of each position written by this process in memory,
// in front of KvStateNodeReader: the state map's Update reads the newest tree,
// which otherwise costs one RocksDB SeekForPrev per node. Bounded by bytes,
// not entries: a stored group of the map is up to 16 leaves and 16 child
// hashes, so a count of entries bounds nothing. Two generations of
// max_bytes/2 each, the older dropped when the newer fills up, so the top of
// the tree (rewritten by every block) always stays cached.
// Record() only after the nodes are durable. Thread-safe.
class CachingStateNodeReader final : public state::StateMapNodeReader {
 public:
  // What one cached node is charged beyond its position and bytes: the hash
  // map's node, the key string and the vector (an estimate for glibc malloc,
  // rounded up; not measured).
  static constexpr size_t kEntryOverheadBytes = 128;
  static constexpr size_t kDefaultMaxBytes = size_t{48} << 20;
  static constexpr size_t EntryCharge(size_t position_bytes, size_t node_bytes) {
    return position_bytes + node_bytes + kEntryOverheadBytes;
  }

  explicit CachingStateNodeReader(storage::KvStore* kv, size_t max_bytes = kDefaultMaxBytes)
      : store_(kv), max_bytes_(max_bytes) {}
  Result<std::optional<Bytes>> GetLatestNode(ByteView position,
                                             uint64_t max_version) const override;
  Result<std::optional<Bytes>> GetNode(ByteView position, uint64_t version) const override;
  // `node_writes` as returned by StateMap::Update (NodeKey, value), stored.
  // Takes the writes over (they are moved into the cache).
  void Record(std::vector<std::pair<Bytes, Bytes>> node_writes);
  // What the cached nodes are charged in all (at most max_bytes).
  size_t cached_bytes() const;

 private:
  struct Generation {
    // position -> (version, node)
    std::unordered_map<std::string, std::pair<uint64_t, Bytes>> nodes;
    size_t bytes = 0;
  };
  void Rotate() REQUIRES(mu_);

  KvStateNodeReader store_;
  size_t max_bytes_;
  mutable Mutex mu_;
  Generation current_ GUARDED_BY(mu_);  // the newer writes
  Generation previous_ GUARDED_BY(mu_);
};

// Reads the record of a tx id, nullopt if unknown.
Result<std::optional<TxRecord>> ReadTxRecord(storage::KvStore* kv, const Hash& id);

}  // namespace licenced::node
