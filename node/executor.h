// Executor: applies committed blocks to the chaincode and the store.
//
// For each Delivered block (in height order): decodes every transaction;
// records a rejection for undecodable or wrong-network ones; skips
// duplicates (an id already committed, or earlier in the same block: the
// first record is kept, nothing else changes); runs the chaincode Engine per
// tx over an OverlayView of the block's state (a rejected tx's writes are
// discarded); computes the new state root; and writes block, certificate,
// state writes, state-commitment data, tx records, events and the root in
// ONE synced BlockStore::Commit. If that write fails nothing is applied and
// the block can be executed again.
//
// State root rule (contract section 1): root(h) = core/state_map.h root of
// the chaincode state after executing blocks 1..h (state map version h);
// block h+1's header carries root(h).
//
// Null mode (node/null_mode.h, benchmark only): the same block loop without
// chaincode: every decodable tx of this network is recorded OK with no state
// writes, and the state root stays the previous block's.
//
// Each tx signature is checked once per node: if the SignatureCache says the
// node's TxVerifier already verified (id, signature), the engine is told so
// (TxContext::signature_verified) and skips its own check; otherwise the
// engine verifies. Either way the outcome is the same on every replica.
//
// Not thread-safe: the node calls ExecuteBlock from one execution thread.
// Readers (queries, GetStatus) use the KvStore/BlockStore directly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chaincode/engine.h"
#include "consensus/block.h"
#include "consensus/recently_committed.h"
#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"
#include "core/transaction.h"
#include "node/state_store.h"
#include "node/storage/block_store.h"

namespace licenced::node {

struct ExecutedTx {
  Hash id{};
  TxRecord record;
  bool duplicate = false;  // skipped: id already committed (record is the old one's code)
};

struct ExecutedBlock {
  uint64_t height = 0;
  Hash block_hash{};
  Hash state_root{};  // after this block
  uint64_t timestamp_ms = 0;
  std::vector<ExecutedTx> txs;
  std::vector<EventRecord> events;
};

// Whether the host commits delivered block `height` with a synced write: the
// last of a run of queued blocks and every checkpoint height are synced; the
// ones before them become durable with the next synced write (a crash keeps a
// prefix). Shared by the daemon and the simulator.
inline bool SyncAfterBlock(uint64_t height, bool more_queued, uint64_t checkpoint_interval) {
  return !more_queued || height % (checkpoint_interval == 0 ? 1 : checkpoint_interval) == 0;
}

// The replica's key of an opaque transaction (ReplicaConfig::tx_id): its
// Transaction id, or SHA-256 of the bytes if they do not decode.
Hash ConsensusTxId(ByteView tx);

// The transactions of the store's last `window` blocks, oldest first, for
// ReplicaConfig::recently_committed (read once, when the replica is made).
Result<std::vector<consensus::CommittedBlockTxs>> RecentlyCommittedTxs(
    const storage::BlockStore& store, uint64_t window);

// Root of the empty state (height 0): the state map's empty root (zeros).
Hash EmptyStateRoot();

// A transaction this node already decoded and checked (TxVerifier): the
// executor then neither decodes it, nor hashes its id, nor checks its
// signature again.
struct CheckedTx {
  Transaction tx;
  Hash id{};
  bool signature_ok = false;  // its signature verified here
  bool valid = false;         // and it is for this network
};

class Executor {
 public:
  // The node's remembered check of an encoded transaction, or null.
  using CheckedTxLookup = std::function<std::shared_ptr<const CheckedTx>(ByteView encoded)>;

  // True iff this node already verified `signature` of the tx with this id.
  using SignatureCache = std::function<bool(const Hash& id, const crypto::Signature& signature)>;

  // REQUIRES: store outlives the executor.
  Executor(const Genesis& genesis, storage::BlockStore* store, bool null_mode = false);

  // Optional; set before the first ExecuteBlock.
  void SetSignatureCache(SignatureCache cache) { signature_cache_ = std::move(cache); }
  // Optional; set before the first ExecuteBlock.
  void SetCheckedTxLookup(CheckedTxLookup lookup) { checked_lookup_ = std::move(lookup); }

  // State root after the block store's head (EmptyStateRoot() at genesis).
  Result<Hash> HeadStateRoot() const;
  Result<Hash> StateRootAt(uint64_t height) const;
  // OK iff the stored state map can be read and its root at the head is the
  // recorded one: run once when the node opens, so a ledger this version
  // cannot read (docs/state-root.md "Upgrading a ledger") is refused at
  // start, not at the next block.
  Status CheckStateMap() const;

  // REQUIRES: block.header.height == store->head_height() + 1, block and
  // cert already checked by consensus. `block_bytes`/`cert_bytes` are the
  // canonical encodings stored as is.
  // sync=false: the commit is not synced (BlockStore::CommitRecord::sync).
  Result<ExecutedBlock> ExecuteBlock(const consensus::Block& block,
                                     const consensus::CommitCertificate& cert, bool sync = true);

  const chaincode::Engine& engine() const { return engine_; }
  // The authenticated state map over the store (proofs at any height).
  const state::StateMap& state_map() const { return state_map_; }

 private:
  // The chaincode part of one tx (not in null mode); fills ex->record and
  // appends events. `block_state` receives the tx's writes if it succeeds.
  void RunTx(const Transaction& tx, const chaincode::TxContext& ctx,
             chaincode::StateView& block_state, ExecutedTx* ex, std::vector<EventRecord>* events,
             storage::WriteBatch* batch);

  std::string network_id_;
  bool null_mode_;
  SignatureCache signature_cache_;
  CheckedTxLookup checked_lookup_;
  chaincode::Engine engine_;
  storage::BlockStore* store_;
  CachingStateNodeReader node_reader_;
  state::StateMap state_map_;
};

}  // namespace licenced::node
