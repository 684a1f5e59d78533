#include "node/ledger_reader.h"

#include <algorithm>
#include <string>

#include "core/merkle.h"

namespace licenced::node {

LedgerReader::LedgerReader(storage::KvStore* kv, const storage::BlockStore* blocks,
                           const state::StateMap* state, uint64_t order_ahead_window)
    : kv_(kv), blocks_(blocks), state_(state), order_ahead_window_(order_ahead_window) {}

Result<LedgerBlock> LedgerReader::Block(uint64_t height) const {
  const uint64_t head = blocks_->head_height();
  if (height == 0) height = head;
  if (height == 0) return Status::NotFound("no block committed yet (height 0 is the genesis)");
  if (height > head) {
    return Status::NotFound("block " + std::to_string(height) + " is not committed here (head is " +
                            std::to_string(head) + ")");
  }
  LIC_ASSIGN_OR_RETURN(auto b, blocks_->BlockByHeight(height));
  LIC_ASSIGN_OR_RETURN(auto c, blocks_->CertByHeight(height));
  if (!b.has_value() || !c.has_value()) {
    return Status::Corruption("block " + std::to_string(height) + " is at or below the head (" +
                              std::to_string(head) + ") but its " +
                              (b.has_value() ? "certificate" : "block") + " is missing");
  }
  return LedgerBlock{height, std::move(*b), std::move(*c)};
}

Result<std::optional<CommittedTx>> LedgerReader::Transaction(const Hash& id) const {
  LIC_ASSIGN_OR_RETURN(auto record, ReadTxRecord(kv_, id));
  if (!record.has_value()) return std::optional<CommittedTx>();
  LIC_ASSIGN_OR_RETURN(LedgerBlock stored, Block(record->height));
  LIC_ASSIGN_OR_RETURN(consensus::Block block, consensus::Block::Decode(stored.block));
  if (record->index >= block.txs.size()) {
    return Status::Corruption("transaction record points at index " +
                              std::to_string(record->index) + " of block " +
                              std::to_string(record->height) + ", which has " +
                              std::to_string(block.txs.size()) + " transactions");
  }
  return std::optional<CommittedTx>(
      CommittedTx{std::move(*record), std::move(block.txs[record->index])});
}

Result<TxInclusion> LedgerReader::TxProof(const Hash& id) const {
  LIC_ASSIGN_OR_RETURN(auto record, ReadTxRecord(kv_, id));
  if (!record.has_value()) {
    return Status::NotFound("transaction " + ToHex(id) + " is not committed");
  }
  LIC_ASSIGN_OR_RETURN(LedgerBlock stored, Block(record->height));
  auto block = consensus::Block::Decode(stored.block);
  if (!block.ok()) return Status::Corruption("stored block does not decode");
  const uint32_t index = record->index;
  if (index >= block->txs.size()) return Status::Corruption("tx index out of range");
  std::vector<Hash> leaves;
  leaves.reserve(block->txs.size());
  for (const Bytes& t : block->txs) leaves.push_back(merkle::LeafHash(t));
  TxInclusion out;
  out.audit_path = merkle::InclusionProof(leaves, index);
  out.record = std::move(*record);
  out.tx = std::move(block->txs[index]);
  out.index = index;
  out.tree_size = leaves.size();
  out.header = block->header;
  out.certificate = std::move(stored.certificate);
  return out;
}

Result<StateInclusion> LedgerReader::StateProof(std::string_view key, uint64_t height) const {
  LIC_ASSIGN_OR_RETURN(LedgerBlock stored, Block(height));
  auto header = consensus::BlockHeader::Decode(
      ByteView(stored.block)
          .subspan(0, std::min(stored.block.size(), consensus::BlockHeader::kEncodedSize)));
  if (!header.ok()) return Status::Corruption("stored block header does not decode");
  // Header h carries the root of the state after block h-W: map version h-W.
  const uint64_t version =
      header->height > order_ahead_window_ ? header->height - order_ahead_window_ : 0;
  auto lookup = state_->GetWithProof(key, version);
  if (!lookup.ok()) return lookup.status();
  LIC_ASSIGN_OR_RETURN(Hash root, state_->RootAt(version));
  if (root != header->state_root) {
    return Status::Internal("state map root at version " + std::to_string(version) +
                            " differs from block " + std::to_string(header->height) +
                            "'s state_root");
  }
  StateInclusion out;
  out.value = lookup->value;
  out.proof = lookup->proof;
  out.header = *header;
  out.certificate = std::move(stored.certificate);
  return out;
}

Result<CertifiedStateInclusion> LedgerReader::CertifiedStateProof(std::string_view key,
                                                                  uint64_t height) const {
  const uint64_t head = blocks_->head_height();
  if (height > head) {
    return Status::NotFound("block " + std::to_string(height) + " is not committed here (head is " +
                            std::to_string(head) + ")");
  }
  const uint64_t top = height == 0 ? head : height;
  const uint64_t bottom =
      height == 0 ? (head > kCertifiedLookback ? head - kCertifiedLookback : 1) : height;
  for (uint64_t h = top; h >= bottom && h > 0; --h) {
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> raw, blocks_->StateCertificate(h));
    if (!raw) continue;
    auto cert = consensus::CheckpointProof::Decode(*raw);
    if (!cert.ok() || cert->checkpoint.height != h) {
      return Status::Corruption("the stored state certificate of block " + std::to_string(h) +
                                " does not decode or is for another height");
    }
    // The newest state version this node holds at or below h: h itself only
    // once it has executed h. A certificate for a state not executed here yet
    // is skipped (or, asked for by height, refused).
    LIC_ASSIGN_OR_RETURN(Hash root, state_->RootAt(h));
    if (root != cert->checkpoint.state_root) {
      if (height == 0) continue;
      return Status::FailedPrecondition(
          "block " + std::to_string(h) +
          "'s certified state is not this node's state at that height (not executed here yet, "
          "or this node's execution disagrees: see status.execution_halted)");
    }
    LIC_ASSIGN_OR_RETURN(LedgerBlock stored, Block(h));
    auto header = consensus::BlockHeader::Decode(
        ByteView(stored.block)
            .subspan(0, std::min(stored.block.size(), consensus::BlockHeader::kEncodedSize)));
    if (!header.ok()) return Status::Corruption("stored block header does not decode");
    if (header->ComputeHash() != cert->checkpoint.block_hash) {
      return Status::Corruption("the state certificate of block " + std::to_string(h) +
                                " is for another block than the one stored");
    }
    auto lookup = state_->GetWithProof(key, h);
    if (!lookup.ok()) return lookup.status();
    CertifiedStateInclusion out;
    out.value = lookup->value;
    out.proof = lookup->proof;
    out.header = *header;
    out.certificate = std::move(*cert);
    return out;
  }
  if (height != 0) {
    return Status::FailedPrecondition("this node holds no state certificate of block " +
                                      std::to_string(height));
  }
  return Status::FailedPrecondition(
      "this node holds no state certificate of a block it executed among the last " +
      std::to_string(kCertifiedLookback) + " below its head " + std::to_string(head));
}

Result<std::vector<EventRecord>> LedgerReader::Events(
    uint64_t from, uint64_t to, const std::function<bool(const EventRecord&)>& keep) const {
  std::vector<EventRecord> out;
  if (from > to) return out;
  auto it = kv_->NewIterator(storage::Column::kIndex);
  const std::string end = EventHeightPrefix(to + 1);
  for (it->Seek(EventHeightPrefix(from)); it->Valid() && it->key() < end; it->Next()) {
    auto event = EventRecord::Decode(it->value());
    if (!event.ok()) {
      return Status::Corruption("stored event at key " + ToHex(ToBytes(it->key())) +
                                " does not decode: " + event.status().message());
    }
    if (!keep || keep(*event)) out.push_back(std::move(*event));
  }
  LIC_RETURN_IF_ERROR(it->status());
  return out;
}

}  // namespace licenced::node
