#include "node/executor.h"

#include <cstring>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/transaction.h"

namespace licenced::node {

Hash ConsensusTxId(ByteView tx) {
  auto t = Transaction::Decode(tx);
  return t.ok() ? t->Id() : crypto::Sha256(tx);
}

Result<std::vector<consensus::CommittedBlockTxs>> RecentlyCommittedTxs(
    const storage::BlockStore& store, uint64_t window) {
  std::vector<consensus::CommittedBlockTxs> out;
  const uint64_t head = store.head_height();
  const uint64_t first = head > window ? head - window + 1 : 1;
  for (uint64_t h = first; h <= head; ++h) {
    LIC_ASSIGN_OR_RETURN(auto raw, store.BlockByHeight(h));
    if (!raw.has_value()) return Status::Corruption("block " + std::to_string(h) + " missing");
    LIC_ASSIGN_OR_RETURN(auto block, consensus::Block::Decode(*raw));
    consensus::CommittedBlockTxs b;
    b.height = h;
    for (const Bytes& tx : block.txs) b.ids.push_back(ConsensusTxId(tx));
    out.push_back(std::move(b));
  }
  return out;
}

using storage::Column;

namespace {
struct IdHasher {
  size_t operator()(const Hash& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof(v));
    return v;
  }
};
}  // namespace

Hash EmptyStateRoot() { return Hash{}; }

Executor::Executor(const Genesis& genesis, storage::BlockStore* store, bool null_mode)
    : network_id_(genesis.network_id),
      null_mode_(null_mode),
      engine_(genesis),
      store_(store),
      node_reader_(store->kv()),
      state_map_(node_reader_) {}

Result<Hash> Executor::StateRootAt(uint64_t height) const {
  if (height == 0) return EmptyStateRoot();
  LIC_ASSIGN_OR_RETURN(auto raw, store_->kv()->Get(Column::kIndex, RootKey(height)));
  if (!raw.has_value() || raw->size() != 32) {
    return Status::NotFound("no state root stored for height " + std::to_string(height));
  }
  Hash h;
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

Result<Hash> Executor::HeadStateRoot() const { return StateRootAt(store_->head_height()); }

Status Executor::CheckStateMap() const {
  if (null_mode_) return Status::Ok();
  const uint64_t head = store_->head_height();
  LIC_ASSIGN_OR_RETURN(Hash recorded, StateRootAt(head));
  LIC_ASSIGN_OR_RETURN(Hash stored, state_map_.RootAt(head));
  if (stored != recorded) {
    return Status::Corruption("state map root at height " + std::to_string(head) +
                              " differs from the state root recorded for it");
  }
  return Status::Ok();
}

void Executor::RunTx(const Transaction& tx, const chaincode::TxContext& ctx,
                     chaincode::StateView& block_state, ExecutedTx* ex,
                     std::vector<EventRecord>* events, storage::WriteBatch* batch) {
  chaincode::OverlayView tx_state(block_state);
  chaincode::TxOutcome outcome = engine_.Execute(tx, ctx, tx_state);
  ex->record.code = outcome.status.code();
  ex->record.message = outcome.status.message();
  if (!outcome.status.ok()) {
    tx_state.Discard();
    return;
  }
  ex->record.result_json = outcome.result_json.empty() ? "{}" : std::move(outcome.result_json);
  tx_state.Commit();
  uint32_t n = 0;
  for (auto& e : outcome.events) {
    EventRecord rec;
    rec.height = ctx.height;
    rec.tx_index = ctx.tx_index;
    rec.tx_id = ex->id;
    rec.timestamp_ms = ctx.block_time_ms;
    rec.kind = std::move(e.kind);
    rec.orgs = std::move(e.orgs);
    rec.payload_json = std::move(e.payload_json);
    batch->Put(Column::kIndex, EventKey(ctx.height, ctx.tx_index, n++), rec.Encode());
    events->push_back(std::move(rec));
  }
}

Result<ExecutedBlock> Executor::ExecuteBlock(const consensus::Block& block,
                                             const consensus::CommitCertificate& cert, bool sync) {
  const uint64_t height = block.header.height;
  if (height != store_->head_height() + 1) {
    return Status::FailedPrecondition("block " + std::to_string(height) + " is not next: head is " +
                                      std::to_string(store_->head_height()));
  }

  ExecutedBlock out;
  out.height = height;
  out.block_hash = block.header.ComputeHash();
  out.timestamp_ms = block.header.timestamp_ms;
  out.txs.reserve(block.txs.size());

  KvStateView base(store_->kv());
  chaincode::OverlayView block_state(base);
  storage::WriteBatch batch;
  std::unordered_set<Hash, IdHasher> seen;
  seen.reserve(block.txs.size());

  for (uint32_t i = 0; i < block.txs.size(); ++i) {
    const Bytes& raw = block.txs[i];
    ExecutedTx ex;
    ex.record.height = height;
    ex.record.index = i;
    // Decoded and checked at the node's edge already, or here.
    std::shared_ptr<const CheckedTx> checked = checked_lookup_ ? checked_lookup_(raw) : nullptr;
    Result<Transaction> own = Status(StatusCode::kInvalidArgument, "");
    const Transaction* tx = nullptr;
    if (checked) {
      tx = &checked->tx;
      ex.id = checked->id;
    } else {
      own = Transaction::Decode(raw);
      tx = own.ok() ? &*own : nullptr;
      ex.id = own.ok() ? own->Id() : crypto::Sha256(raw);
    }

    // Duplicates keep the first record and change nothing.
    bool dup = !seen.insert(ex.id).second;
    if (!dup) {
      LIC_ASSIGN_OR_RETURN(auto prior, ReadTxRecord(store_->kv(), ex.id));
      if (prior.has_value()) {
        dup = true;
        ex.record = std::move(*prior);
      }
    }
    if (dup) {
      ex.duplicate = true;
      out.txs.push_back(std::move(ex));
      continue;
    }

    if (tx == nullptr) {
      ex.record.code = StatusCode::kInvalidArgument;
      ex.record.message = "transaction does not decode: " + own.status().message();
    } else if (tx->network_id != network_id_) {
      ex.record.code = StatusCode::kInvalidArgument;
      ex.record.message =
          "transaction is for network '" + tx->network_id + "', this is '" + network_id_ + "'";
    } else if (null_mode_) {
      ex.record.result_json = "{}";
    } else {
      chaincode::TxContext ctx{height, block.header.timestamp_ms, i, ex.id};
      ctx.signature_verified = checked ? checked->signature_ok
                                       : signature_cache_ && signature_cache_(ex.id, tx->signature);
      RunTx(*tx, ctx, block_state, &ex, &out.events, &batch);
    }
    batch.Put(Column::kIndex, TxKey(ex.id), ex.record.Encode());
    out.txs.push_back(std::move(ex));
  }

  std::vector<std::pair<Bytes, Bytes>> node_writes;
  if (null_mode_) {
    LIC_ASSIGN_OR_RETURN(out.state_root, StateRootAt(height - 1));
  } else {
    std::vector<state::StateChange> changes;
    changes.reserve(block_state.writes().size());
    for (const auto& [k, v] : block_state.writes()) {
      if (v.has_value()) {
        batch.Put(Column::kState, StateKey(k), *v);
      } else {
        batch.Delete(Column::kState, StateKey(k));
      }
      changes.push_back({k, v});
    }
    LIC_ASSIGN_OR_RETURN(state::StateMapUpdate update, state_map_.Update(height, changes));
    for (const auto& [key, value] : update.node_writes) {
      batch.Put(Column::kStateNodes, StateNodeStoreKey(key), value);
    }
    out.state_root = update.root;
    node_writes = std::move(update.node_writes);
  }
  batch.Put(Column::kIndex, RootKey(height), Bytes(out.state_root.begin(), out.state_root.end()));

  storage::BlockStore::CommitRecord rec;
  rec.height = height;
  rec.block_hash = out.block_hash;
  rec.block = block.Encode();
  rec.cert = cert.Encode();
  rec.extra = std::move(batch);
  rec.sync = sync;
  LIC_RETURN_IF_ERROR(store_->Commit(rec));
  node_reader_.Record(std::move(node_writes));  // only once written
  return out;
}

}  // namespace licenced::node
