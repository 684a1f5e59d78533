#include "node/storage/mem_kv_store.h"
#include "core/op_counters.h"

#include <utility>

namespace licenced::storage {
namespace {

// Iterates over a private copy of one column.
class MemIterator final : public Iterator {
 public:
  using Map = std::map<std::string, Bytes, std::less<>>;
  explicit MemIterator(Map snapshot) : map_(std::move(snapshot)), it_(map_.end()) {}

  bool Valid() const override { return it_ != map_.end(); }
  void SeekToFirst() override { it_ = map_.begin(); }
  void SeekToLast() override { it_ = map_.empty() ? map_.end() : std::prev(map_.end()); }
  void Seek(std::string_view target) override { it_ = map_.lower_bound(target); }
  void SeekForPrev(std::string_view target) override {
    auto upper = map_.upper_bound(target);  // first key > target
    it_ = upper == map_.begin() ? map_.end() : std::prev(upper);
  }
  void Next() override { ++it_; }
  void Prev() override { it_ = it_ == map_.begin() ? map_.end() : std::prev(it_); }
  std::string_view key() const override { return it_->first; }
  ByteView value() const override { return it_->second; }
  Status status() const override { return Status::Ok(); }

 private:
  Map map_;
  Map::const_iterator it_;
};

}  // namespace

Result<std::optional<Bytes>> MemKvStore::Get(Column column, std::string_view key) {
  CountOp(Op::kStoreRead);
  MutexLock lock(&mu_);
  const Map& map = columns_[ColumnIndex(column)];
  auto it = map.find(key);
  if (it == map.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

Status MemKvStore::Write(const WriteBatch& batch, bool /*sync*/) {
  MutexLock lock(&mu_);
  for (const WriteBatch::Op& op : batch.ops()) {
    Map& map = columns_[ColumnIndex(op.column)];
    if (op.kind == WriteBatch::Op::Kind::kPut) {
      map.insert_or_assign(op.key, op.value);
    } else {
      auto it = map.find(op.key);
      if (it != map.end()) map.erase(it);
    }
  }
  return Status::Ok();
}

std::unique_ptr<Iterator> MemKvStore::NewIterator(Column column) {
  MutexLock lock(&mu_);
  return std::make_unique<MemIterator>(columns_[ColumnIndex(column)]);
}

size_t MemKvStore::Size(Column column) const {
  MutexLock lock(&mu_);
  return columns_[ColumnIndex(column)].size();
}

}  // namespace licenced::storage
