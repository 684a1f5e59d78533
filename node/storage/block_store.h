// BlockStore: the committed chain on top of a KvStore. Each Commit writes a
// block, its commit certificate, the block-hash index entry, the caller's
// extra writes (state, state-map nodes, tx indexes) and the head pointer in
// ONE atomic synced KvStore::Write, so after any crash the store holds every
// acknowledged block completely and never half a block.
//
// Layout (the node must not write these keys itself):
//   kBlocks  BE64(height)                 -> block bytes
//   kCerts   BE64(height)                 -> commit certificate bytes
//   kIndex   "blk:" + hash (32 raw bytes) -> BE64(height)
//   kMeta    "head"                       -> BE64(height) || hash (32 bytes)
//   kIndex   "sc:" + BE64(height)         -> the block's state certificate
//            (consensus::CheckpointProof bytes; written when it forms, which
//            may be before or after the block itself, unsynced)
// Height 0 is the genesis: no block is stored for it, and head_hash() is the
// genesis hash passed to Open() until block 1 is committed.
//
// Thread-safe: Commit calls are serialised; reads may run concurrently with
// a Commit and see either the old or the new head.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/mutex.h"
#include "core/status.h"
#include "node/storage/kv_store.h"
#include "node/storage/write_batch.h"

namespace licenced::storage {

// Big-endian fixed 8-byte key of a height (sorts in height order).
std::string HeightKey(uint64_t height);
// REQUIRES: key.size() == 8
uint64_t DecodeHeightKey(std::string_view key);

class BlockStore {
 public:
  struct CommitRecord {
    uint64_t height = 0;
    Hash block_hash{};
    Bytes block;       // encoded consensus::Block
    Bytes cert;        // encoded consensus::CommitCertificate
    WriteBatch extra;  // state, state-map nodes, tx indexes: same atomic write
    // false: the write is atomic but not synced (a later synced write makes
    // it durable too; a crash before that loses this block and the ones after
    // it, never a block before it). For runs of blocks during catch-up.
    bool sync = true;
  };

  // Key prefix in Column::kIndex and key in Column::kMeta owned by BlockStore.
  static constexpr std::string_view kHashIndexPrefix = "blk:";
  static constexpr std::string_view kStateCertPrefix = "sc:";
  static constexpr std::string_view kHeadKey = "head";

  // Reads the head pointer and checks that the head block, its certificate
  // and its index entry exist (Corruption otherwise). An empty store has
  // head_height() == 0 and head_hash() == genesis_hash.
  // REQUIRES: kv outlives the BlockStore.
  static Result<std::unique_ptr<BlockStore>> Open(KvStore* kv, const Hash& genesis_hash = Hash{});

  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  // Writes the record and moves the head to it in one atomic write, synced
  // unless record.sync is false.
  // FailedPrecondition (and nothing written) unless record.height ==
  // head_height() + 1; InvalidArgument if `extra` touches a key BlockStore
  // owns (kBlocks, kCerts, the hash index, the head pointer). On any error
  // nothing of the record is applied and the head does not move. After an
  // IoError from the disk, treat the store as failed and restart the node
  // (RocksDB refuses writes after a failed sync); reopening finds the head at
  // the previous block or, if the write reached the disk, at this one.
  Status Commit(const CommitRecord& record) EXCLUDES(commit_mu_, head_mu_);

  // std::nullopt if no block/cert is stored at that height.
  Result<std::optional<Bytes>> BlockByHeight(uint64_t height) const;
  Result<std::optional<Bytes>> CertByHeight(uint64_t height) const;
  // The state certificate of block `height` (docs/consensus.md "Certified
  // execution"). Not synced: a crash may lose the newest ones, which costs
  // those heights their certificate only (nothing depends on it for safety).
  Status PutStateCertificate(uint64_t height, ByteView certificate);
  Result<std::optional<Bytes>> StateCertificate(uint64_t height) const;
  // std::nullopt if no committed block has that hash.
  Result<std::optional<uint64_t>> HeightByHash(const Hash& block_hash) const;

  uint64_t head_height() const EXCLUDES(head_mu_);
  Hash head_hash() const EXCLUDES(head_mu_);
  const Hash& genesis_hash() const { return genesis_hash_; }
  KvStore* kv() const { return kv_; }

 private:
  BlockStore(KvStore* kv, const Hash& genesis_hash) : kv_(kv), genesis_hash_(genesis_hash) {}

  KvStore* const kv_;
  const Hash genesis_hash_;
  Mutex commit_mu_ ACQUIRED_BEFORE(head_mu_);  // serialises Commit
  mutable Mutex head_mu_;
  uint64_t head_height_ GUARDED_BY(head_mu_) = 0;
  Hash head_hash_ GUARDED_BY(head_mu_){};
};

}  // namespace licenced::storage
