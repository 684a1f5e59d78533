#include "node/storage/kv_store.h"

namespace licenced::storage {

Status KvStore::Put(Column column, std::string_view key, ByteView value, bool sync) {
  WriteBatch batch;
  batch.Put(column, key, value);
  return Write(batch, sync);
}

Status KvStore::Delete(Column column, std::string_view key, bool sync) {
  WriteBatch batch;
  batch.Delete(column, std::string(key));
  return Write(batch, sync);
}

Result<std::vector<std::pair<std::string, Bytes>>> KvStore::ScanPrefix(Column column,
                                                                       std::string_view prefix,
                                                                       size_t limit) {
  std::vector<std::pair<std::string, Bytes>> out;
  std::unique_ptr<Iterator> it = NewIterator(column);
  for (it->Seek(prefix); it->Valid() && out.size() < limit; it->Next()) {
    std::string_view key = it->key();
    if (!key.starts_with(prefix)) break;
    ByteView value = it->value();
    out.emplace_back(std::string(key), Bytes(value.begin(), value.end()));
  }
  LIC_RETURN_IF_ERROR(it->status());
  return out;
}

}  // namespace licenced::storage
