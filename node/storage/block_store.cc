#include "node/storage/block_store.h"

#include <algorithm>
#include <utility>

#include "core/encoding.h"

namespace licenced::storage {
namespace {

std::string HashIndexKey(const Hash& hash) {
  std::string key(BlockStore::kHashIndexPrefix);
  key.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return key;
}

Bytes EncodeHead(uint64_t height, const Hash& hash) {
  Writer w;
  w.U64(height).Raw(hash);
  return w.Take();
}

// Is `op` a key that only BlockStore may write?
bool IsReserved(const WriteBatch::Op& op) {
  switch (op.column) {
    case Column::kBlocks:
    case Column::kCerts:
      return true;
    case Column::kIndex:
      return op.key.starts_with(BlockStore::kHashIndexPrefix) ||
             op.key.starts_with(BlockStore::kStateCertPrefix);
    case Column::kMeta:
      return op.key == BlockStore::kHeadKey;
    case Column::kState:
    case Column::kConsensus:
    case Column::kStateNodes:
      return false;
  }
  return true;
}

}  // namespace

std::string HeightKey(uint64_t height) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(height & 0xff);
    height >>= 8;
  }
  return key;
}

uint64_t DecodeHeightKey(std::string_view key) {
  uint64_t height = 0;
  for (size_t i = 0; i < 8 && i < key.size(); ++i) {
    height = (height << 8) | static_cast<uint8_t>(key[i]);
  }
  return height;
}

Result<std::unique_ptr<BlockStore>> BlockStore::Open(KvStore* kv, const Hash& genesis_hash) {
  std::unique_ptr<BlockStore> store(new BlockStore(kv, genesis_hash));
  {
    MutexLock lock(&store->head_mu_);
    store->head_hash_ = genesis_hash;
  }
  LIC_ASSIGN_OR_RETURN(std::optional<Bytes> head, kv->Get(Column::kMeta, kHeadKey));
  if (head) {
    Reader r(*head);
    const uint64_t height = r.U64();
    const Hash hash = r.Fixed<32>();
    if (Status s = r.Finish("block store head pointer"); !s.ok()) {
      return Status::Corruption(s.message());
    }
    if (height == 0) return Status::Corruption("block store head pointer names height 0");
    const std::string at = " at head height " + std::to_string(height);
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> block, kv->Get(Column::kBlocks, HeightKey(height)));
    if (!block) return Status::Corruption("block store: block missing" + at);
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> cert, kv->Get(Column::kCerts, HeightKey(height)));
    if (!cert) return Status::Corruption("block store: commit certificate missing" + at);
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> index, kv->Get(Column::kIndex, HashIndexKey(hash)));
    if (!index || *index != ToBytes(HeightKey(height))) {
      return Status::Corruption("block store: hash index of the head block missing or wrong" + at);
    }
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> next,
                         kv->Get(Column::kBlocks, HeightKey(height + 1)));
    if (next) return Status::Corruption("block store: a block is stored above the head" + at);
    MutexLock lock(&store->head_mu_);
    store->head_height_ = height;
    store->head_hash_ = hash;
  } else {
    // No head: there must be no block either.
    LIC_ASSIGN_OR_RETURN(auto any_block, kv->ScanPrefix(Column::kBlocks, "", 1));
    if (!any_block.empty()) {
      return Status::Corruption("block store: blocks are stored but the head pointer is missing");
    }
  }
  return store;
}

Status BlockStore::Commit(const CommitRecord& record) {
  MutexLock commit_lock(&commit_mu_);
  const uint64_t head = head_height();
  if (record.height != head + 1) {
    return Status::FailedPrecondition(
        "block store: cannot commit height " + std::to_string(record.height) + " on top of head " +
        std::to_string(head) + " (expected " + std::to_string(head + 1) + ")");
  }
  auto reserved = std::find_if(record.extra.ops().begin(), record.extra.ops().end(), IsReserved);
  if (reserved != record.extra.ops().end()) {
    return Status::InvalidArgument(
        std::string("block store: extra writes touch a reserved key in ") +
        ColumnName(reserved->column));
  }
  const std::string height_key = HeightKey(record.height);
  WriteBatch batch;
  batch.Put(Column::kBlocks, height_key, Bytes(record.block));
  batch.Put(Column::kCerts, height_key, Bytes(record.cert));
  batch.Put(Column::kIndex, HashIndexKey(record.block_hash),
            Bytes(height_key.begin(), height_key.end()));
  batch.Append(record.extra);
  batch.Put(Column::kMeta, std::string(kHeadKey), EncodeHead(record.height, record.block_hash));
  LIC_RETURN_IF_ERROR(kv_->Write(batch, record.sync));
  MutexLock head_lock(&head_mu_);
  head_height_ = record.height;
  head_hash_ = record.block_hash;
  return Status::Ok();
}

Result<std::optional<Bytes>> BlockStore::BlockByHeight(uint64_t height) const {
  return kv_->Get(Column::kBlocks, HeightKey(height));
}

Result<std::optional<Bytes>> BlockStore::CertByHeight(uint64_t height) const {
  return kv_->Get(Column::kCerts, HeightKey(height));
}

Status BlockStore::PutStateCertificate(uint64_t height, ByteView certificate) {
  return kv_->Put(Column::kIndex, std::string(kStateCertPrefix) + HeightKey(height), certificate,
                  /*sync=*/false);
}

Result<std::optional<Bytes>> BlockStore::StateCertificate(uint64_t height) const {
  return kv_->Get(Column::kIndex, std::string(kStateCertPrefix) + HeightKey(height));
}

Result<std::optional<uint64_t>> BlockStore::HeightByHash(const Hash& block_hash) const {
  LIC_ASSIGN_OR_RETURN(std::optional<Bytes> value,
                       kv_->Get(Column::kIndex, HashIndexKey(block_hash)));
  if (!value) return std::optional<uint64_t>();
  if (value->size() != 8) return Status::Corruption("block store: malformed hash index entry");
  return std::optional<uint64_t>(DecodeHeightKey(ToString(*value)));
}

uint64_t BlockStore::head_height() const {
  MutexLock lock(&head_mu_);
  return head_height_;
}

Hash BlockStore::head_hash() const {
  MutexLock lock(&head_mu_);
  return head_hash_;
}

}  // namespace licenced::storage
