#include "node/storage/write_batch.h"

#include <utility>

namespace licenced::storage {

const char* ColumnName(Column column) {
  switch (column) {
    case Column::kBlocks:
      return "blocks";
    case Column::kCerts:
      return "certs";
    case Column::kState:
      return "state";
    case Column::kConsensus:
      return "consensus";
    case Column::kIndex:
      return "index";
    case Column::kMeta:
      return "meta";
    case Column::kStateNodes:
      return "state_nodes";
  }
  return "unknown";
}

void WriteBatch::Put(Column column, std::string key, Bytes value) {
  approximate_bytes_ += key.size() + value.size();
  ops_.push_back(Op{Op::Kind::kPut, column, std::move(key), std::move(value)});
}

void WriteBatch::Delete(Column column, std::string key) {
  approximate_bytes_ += key.size();
  ops_.push_back(Op{Op::Kind::kDelete, column, std::move(key), Bytes{}});
}

void WriteBatch::Append(const WriteBatch& other) {
  ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
  approximate_bytes_ += other.approximate_bytes_;
}

void WriteBatch::Clear() {
  ops_.clear();
  approximate_bytes_ = 0;
}

}  // namespace licenced::storage
