#include "node/storage/consensus_log.h"

namespace licenced::storage {

Status ConsensusLog::Put(std::string_view key, ByteView value) {
  WriteBatch batch;
  if (value.empty()) {
    batch.Delete(Column::kConsensus, std::string(key));
  } else {
    batch.Put(Column::kConsensus, key, value);
  }
  return kv_->Write(batch, /*sync=*/true);
}

Status ConsensusLog::PutAll(const std::vector<std::pair<std::string, Bytes>>& entries) {
  WriteBatch batch;
  for (const auto& [key, value] : entries) {
    if (value.empty()) {
      batch.Delete(Column::kConsensus, key);
    } else {
      batch.Put(Column::kConsensus, key, value);
    }
  }
  return kv_->Write(batch, /*sync=*/true);
}

Result<std::vector<std::pair<std::string, Bytes>>> ConsensusLog::LoadAll() const {
  return kv_->ScanPrefix(Column::kConsensus, "", KvStore::kNoLimit);
}

}  // namespace licenced::storage
