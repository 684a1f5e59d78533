#include "node/executor.h"

#include <set>

#include <spdlog/spdlog.h>

#include "core/crypto.h"
#include "core/encoding.h"
#include "core/transaction.h"

namespace licenced::node {

using storage::Column;

Hash EmptyStateRoot() { return Hash{}; }

Executor::Executor(const Genesis& genesis, storage::BlockStore* store)
    : network_id_(genesis.network_id),
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

Result<ExecutedBlock> Executor::ExecuteBlock(const consensus::Block& block,
                                             const consensus::CommitCertificate& cert) {
  const uint64_t height = block.header.height;
  if (height != store_->head_height() + 1) {
    return Status::FailedPrecondition("block " + std::to_string(height) + " is not next: head is " +
                                      std::to_string(store_->head_height()));
  }

  ExecutedBlock out;
  out.height = height;
  out.block_hash = block.header.ComputeHash();
  out.timestamp_ms = block.header.timestamp_ms;

  KvStateView base(store_->kv());
  chaincode::OverlayView block_state(base);
  storage::WriteBatch batch;
  std::set<Hash> seen;

  for (uint32_t i = 0; i < block.txs.size(); ++i) {
    const Bytes& raw = block.txs[i];
    ExecutedTx ex;
    ex.record.height = height;
    ex.record.index = i;
    auto tx = Transaction::Decode(raw);
    ex.id = tx.ok() ? tx->Id() : crypto::Sha256(raw);

    // Duplicates keep the first record and change nothing.
    bool dup = seen.count(ex.id) > 0;
    if (!dup) {
      LIC_ASSIGN_OR_RETURN(auto prior, ReadTxRecord(store_->kv(), ex.id));
      if (prior.has_value()) {
        dup = true;
        ex.record = *prior;
      }
    }
    if (dup) {
      ex.duplicate = true;
      out.txs.push_back(std::move(ex));
      continue;
    }
    seen.insert(ex.id);

    if (!tx.ok()) {
      ex.record.code = StatusCode::kInvalidArgument;
      ex.record.message = "transaction does not decode: " + tx.status().message();
    } else if (tx->network_id != network_id_) {
      ex.record.code = StatusCode::kInvalidArgument;
      ex.record.message =
          "transaction is for network '" + tx->network_id + "', this is '" + network_id_ + "'";
    } else {
      // Cast: OverlayView(block_state) would pick the implicit copy constructor.
      chaincode::StateView& block_view = block_state;
      chaincode::OverlayView tx_state(block_view);
      chaincode::TxContext ctx{height, block.header.timestamp_ms, i, ex.id};
      chaincode::TxOutcome outcome = engine_.Execute(*tx, ctx, tx_state);
      ex.record.code = outcome.status.code();
      ex.record.message = outcome.status.message();
      if (outcome.status.ok()) {
        ex.record.result_json = outcome.result_json.empty() ? "{}" : outcome.result_json;
        tx_state.Commit();
        uint32_t n = 0;
        for (auto& e : outcome.events) {
          EventRecord rec;
          rec.height = height;
          rec.tx_index = i;
          rec.tx_id = ex.id;
          rec.timestamp_ms = block.header.timestamp_ms;
          rec.kind = std::move(e.kind);
          rec.orgs = std::move(e.orgs);
          rec.payload_json = std::move(e.payload_json);
          batch.Put(Column::kIndex, EventKey(height, i, n++), rec.Encode());
          out.events.push_back(std::move(rec));
        }
      } else {
        tx_state.Discard();
      }
    }
    batch.Put(Column::kIndex, TxKey(ex.id), ex.record.Encode());
    out.txs.push_back(std::move(ex));
  }

  for (const auto& [k, v] : block_state.writes()) {
    if (v.has_value()) {
      batch.Put(Column::kState, StateKey(k), *v);
    } else {
      batch.Delete(Column::kState, StateKey(k));
    }
  }
  std::vector<state::StateChange> changes;
  changes.reserve(block_state.writes().size());
  for (const auto& [k, v] : block_state.writes()) changes.push_back({k, v});
  LIC_ASSIGN_OR_RETURN(state::StateMapUpdate update, state_map_.Update(height, changes));
  for (const auto& [key, value] : update.node_writes) {
    batch.Put(Column::kState, StateNodeKey(key), value);
  }
  out.state_root = update.root;
  batch.Put(Column::kIndex, RootKey(height), Bytes(out.state_root.begin(), out.state_root.end()));

  storage::BlockStore::CommitRecord rec;
  rec.height = height;
  rec.block_hash = out.block_hash;
  rec.block = block.Encode();
  rec.cert = cert.Encode();
  rec.extra = std::move(batch);
  LIC_RETURN_IF_ERROR(store_->Commit(rec));
  node_reader_.Record(update.node_writes);  // only once durable
  return out;
}

}  // namespace licenced::node
