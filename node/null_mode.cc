#include "node/null_mode.h"

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

}  // namespace licenced::node
