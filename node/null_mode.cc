#include "node/null_mode.h"

#include <set>

#include "core/crypto.h"
#include "core/transaction.h"
#include "node/state_store.h"

namespace licenced::node {
namespace {

class UnsyncedKvStore final : public storage::KvStore {
 public:
  explicit UnsyncedKvStore(std::unique_ptr<storage::KvStore> inner) : inner_(std::move(inner)) {}
  Result<std::optional<Bytes>> Get(storage::Column c, std::string_view key) override {
    return inner_->Get(c, key);
  }
  Status Write(const storage::WriteBatch& batch, bool) override {
    return inner_->Write(batch, /*sync=*/false);
  }
  Status Put(storage::Column c, std::string_view key, ByteView value, bool) override {
    return inner_->Put(c, key, value, /*sync=*/false);
  }
  Status Delete(storage::Column c, std::string_view key, bool) override {
    return inner_->Delete(c, key, /*sync=*/false);
  }
  Result<std::vector<std::pair<std::string, Bytes>>> ScanPrefix(storage::Column c,
                                                                std::string_view prefix,
                                                                size_t limit) override {
    return inner_->ScanPrefix(c, prefix, limit);
  }
  std::unique_ptr<storage::Iterator> NewIterator(storage::Column c) override {
    return inner_->NewIterator(c);
  }

 private:
  std::unique_ptr<storage::KvStore> inner_;
};

}  // namespace

std::unique_ptr<storage::KvStore> MakeUnsyncedKvStore(std::unique_ptr<storage::KvStore> inner) {
  return std::make_unique<UnsyncedKvStore>(std::move(inner));
}

Result<ExecutedBlock> ExecuteBlockNull(storage::BlockStore* store, const std::string& network_id,
                                       const Hash& state_root, const consensus::Block& block,
                                       const consensus::CommitCertificate& cert) {
  const uint64_t height = block.header.height;
  if (height != store->head_height() + 1) {
    return Status::FailedPrecondition("block " + std::to_string(height) + " is not next: head is " +
                                      std::to_string(store->head_height()));
  }
  ExecutedBlock out;
  out.height = height;
  out.block_hash = block.header.ComputeHash();
  out.timestamp_ms = block.header.timestamp_ms;
  out.state_root = state_root;
  storage::WriteBatch batch;
  std::set<Hash> seen;
  for (uint32_t i = 0; i < block.txs.size(); ++i) {
    const Bytes& raw = block.txs[i];
    ExecutedTx ex;
    ex.record.height = height;
    ex.record.index = i;
    auto tx = Transaction::Decode(raw);
    ex.id = tx.ok() ? tx->Id() : crypto::Sha256(raw);
    bool dup = !seen.insert(ex.id).second;
    if (!dup) {
      LIC_ASSIGN_OR_RETURN(auto prior, ReadTxRecord(store->kv(), ex.id));
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
    if (!tx.ok() || tx->network_id != network_id) {
      ex.record.code = StatusCode::kInvalidArgument;
      ex.record.message = "null mode: undecodable or wrong network";
    } else {
      ex.record.result_json = "{}";
    }
    batch.Put(storage::Column::kIndex, TxKey(ex.id), ex.record.Encode());
    out.txs.push_back(std::move(ex));
  }
  batch.Put(storage::Column::kIndex, RootKey(height), Bytes(state_root.begin(), state_root.end()));
  storage::BlockStore::CommitRecord rec;
  rec.height = height;
  rec.block_hash = out.block_hash;
  rec.block = block.Encode();
  rec.cert = cert.Encode();
  rec.extra = std::move(batch);
  LIC_RETURN_IF_ERROR(store->Commit(rec));
  return out;
}

}  // namespace licenced::node
