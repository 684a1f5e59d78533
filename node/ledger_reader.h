// LedgerReader: the read model of a node's ledger, beside the state store:
// blocks with their certificates, committed transactions, transaction and
// state proofs, and the event log from a height, as domain values. The
// client API (node/rpc/client_service.cc) only converts its answers to the
// wire, so what it serves is unit-tested without gRPC
// (tests/unit/node/ledger_reader_test.cc).
//
// Reads only; thread-safe as far as its stores are (the node's are).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "consensus/block.h"
#include "consensus/messages.h"
#include "core/bytes.h"
#include "core/state_map.h"
#include "core/status.h"
#include "node/state_store.h"
#include "node/storage/block_store.h"
#include "node/storage/kv_store.h"

namespace licenced::node {

// A committed block and its commit certificate, as stored (canonical bytes).
struct LedgerBlock {
  uint64_t height = 0;
  Bytes block;
  Bytes certificate;
};

// A committed transaction: its record and its bytes as in the block.
struct CommittedTx {
  TxRecord record;
  Bytes tx;
};

// A transaction's inclusion in its block (RFC 9162 audit path to the
// header's tx_root) under the block's commit certificate.
struct TxInclusion {
  TxRecord record;
  Bytes tx;
  uint32_t index = 0;
  uint64_t tree_size = 0;
  std::vector<Hash> audit_path;
  consensus::BlockHeader header;
  Bytes certificate;
};

// A key's value (or absence) in the state a block header commits to: the
// state after block header.height - 1, under that block's certificate.
struct StateInclusion {
  std::optional<Bytes> value;  // nullopt = absent
  state::StateProof proof;
  consensus::BlockHeader header;
  Bytes certificate;
};

// A key's value (or absence) in the state after block header.height itself,
// under that block's state certificate (2f+1 validators' votes on the state
// they computed; docs/consensus.md "Certified execution").
struct CertifiedStateInclusion {
  std::optional<Bytes> value;  // nullopt = absent
  state::StateProof proof;
  consensus::BlockHeader header;
  consensus::CheckpointProof certificate;
};

// How far below the head CertifiedStateProof(key, 0) looks for the newest
// certified state: certificates form within a round of the block's execution,
// so the newest one is a few blocks below the head at most.
inline constexpr uint64_t kCertifiedLookback = 64;

class LedgerReader {
 public:
  // The stores and the map must outlive the reader. `order_ahead_window`:
  // genesis consensus.order_ahead_window (header h carries the state after
  // block h - W).
  LedgerReader(storage::KvStore* kv, const storage::BlockStore* blocks,
               const state::StateMap* state, uint64_t order_ahead_window = 1);

  // Block `height` (0 = the head). NotFound names the head when it is not
  // committed here; Corruption if block or certificate is missing.
  Result<LedgerBlock> Block(uint64_t height) const;
  // Committed transaction by id (nullopt: not committed here).
  Result<std::optional<CommittedTx>> Transaction(const Hash& id) const;
  // NotFound if `id` is not committed here.
  Result<TxInclusion> TxProof(const Hash& id) const;
  // Against the state_root in the header of block `height` (0 = the head):
  // the state after block height - W. Internal if the stored state
  // disagrees with the header.
  Result<StateInclusion> StateProof(std::string_view key, uint64_t height) const;
  // In the state after block `height` under its state certificate; 0 = the
  // newest block within kCertifiedLookback of the head whose certificate this
  // node holds and whose state it has executed. FailedPrecondition when there
  // is none (not yet certified, or certified while this node was away);
  // Internal if the certified root is not this node's root of that state.
  Result<CertifiedStateInclusion> CertifiedStateProof(std::string_view key, uint64_t height) const;
  // The committed events of blocks from..to (inclusive) that `keep` accepts
  // (none given: all), in commit order. A stored event that does not decode is
  // Corruption.
  Result<std::vector<EventRecord>> Events(
      uint64_t from, uint64_t to, const std::function<bool(const EventRecord&)>& keep = {}) const;

  uint64_t head_height() const { return blocks_->head_height(); }

 private:
  storage::KvStore* kv_;
  const storage::BlockStore* blocks_;
  const state::StateMap* state_;
  const uint64_t order_ahead_window_;
};

}  // namespace licenced::node
