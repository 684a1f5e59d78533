#include "node/storage/fault_injecting_kv_store.h"

#include <string>
#include <utility>

namespace licenced::storage {

Result<std::optional<Bytes>> FaultInjectingKvStore::Get(Column column, std::string_view key) {
  return base_->Get(column, key);
}

std::unique_ptr<Iterator> FaultInjectingKvStore::NewIterator(Column column) {
  return base_->NewIterator(column);
}

Status FaultInjectingKvStore::Write(const WriteBatch& batch, bool sync) {
  MutexLock lock(&mu_);
  const uint64_t index = write_count_++;
  if (crashed_) {
    return Status::IoError("simulated crash: the store is down until SimulateCrash()");
  }
  if (fail_from_ && index >= *fail_from_) {
    return Status::IoError("injected write failure #" + std::to_string(index) +
                           " (disk keeps failing)");
  }
  if (fault_at_ && index == *fault_at_) {
    fault_at_.reset();
    switch (fault_) {
      case Fault::kFailWrite:
        return Status::IoError("injected write failure #" + std::to_string(index));
      case Fault::kCrashMidBatch:
        crashed_ = true;
        LIC_RETURN_IF_ERROR(DropUnsyncedLocked());
        return Status::IoError("simulated crash in the middle of write #" + std::to_string(index));
      case Fault::kCrashBeforeSync:
        // The batch reaches the page cache but never the disk.
        LIC_RETURN_IF_ERROR(ApplyLocked(batch, /*sync=*/false));
        crashed_ = true;
        LIC_RETURN_IF_ERROR(DropUnsyncedLocked());
        return Status::IoError("simulated crash before syncing write #" + std::to_string(index));
      case Fault::kCrashAfterSync:
        LIC_RETURN_IF_ERROR(ApplyLocked(batch, sync));
        crashed_ = true;
        LIC_RETURN_IF_ERROR(DropUnsyncedLocked());
        return Status::IoError("simulated crash after write #" + std::to_string(index) +
                               " before it returned");
    }
  }
  return ApplyLocked(batch, sync);
}

Status FaultInjectingKvStore::ApplyLocked(const WriteBatch& batch, bool sync) {
  if (sync) {
    LIC_RETURN_IF_ERROR(base_->Write(batch, /*sync=*/true));
    unsynced_.clear();  // this sync made every earlier write durable too
    return Status::Ok();
  }
  std::vector<Undo> undo;
  undo.reserve(batch.size());
  for (const WriteBatch::Op& op : batch.ops()) {
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> prior, base_->Get(op.column, op.key));
    undo.push_back(Undo{op.column, op.key, std::move(prior)});
  }
  LIC_RETURN_IF_ERROR(base_->Write(batch, /*sync=*/false));
  unsynced_.push_back(std::move(undo));
  return Status::Ok();
}

Status FaultInjectingKvStore::DropUnsyncedLocked() {
  if (unsynced_.empty()) return Status::Ok();
  // Undo newest first, so each key ends at the value it had before the
  // oldest unsynced write touched it.
  WriteBatch restore;
  for (auto write = unsynced_.rbegin(); write != unsynced_.rend(); ++write) {
    for (auto op = write->rbegin(); op != write->rend(); ++op) {
      if (op->prior) {
        restore.Put(op->column, op->key, *op->prior);
      } else {
        restore.Delete(op->column, op->key);
      }
    }
  }
  LIC_RETURN_IF_ERROR(base_->Write(restore, /*sync=*/true));
  unsynced_.clear();
  return Status::Ok();
}

void FaultInjectingKvStore::InjectAt(uint64_t n, Fault fault) {
  MutexLock lock(&mu_);
  fault_at_ = write_count_ + n;
  fault_ = fault;
}

void FaultInjectingKvStore::FailNextWrite() { InjectAt(0, Fault::kFailWrite); }

void FaultInjectingKvStore::FailWritesAfter(uint64_t n) {
  MutexLock lock(&mu_);
  fail_from_ = write_count_ + n;
}

void FaultInjectingKvStore::ResetFaults() {
  MutexLock lock(&mu_);
  fault_at_.reset();
  fail_from_.reset();
}

Status FaultInjectingKvStore::SimulateCrash() {
  MutexLock lock(&mu_);
  LIC_RETURN_IF_ERROR(DropUnsyncedLocked());
  crashed_ = false;
  return Status::Ok();
}

bool FaultInjectingKvStore::crashed() const {
  MutexLock lock(&mu_);
  return crashed_;
}

uint64_t FaultInjectingKvStore::write_count() const {
  MutexLock lock(&mu_);
  return write_count_;
}

size_t FaultInjectingKvStore::unsynced_write_count() const {
  MutexLock lock(&mu_);
  return unsynced_.size();
}

}  // namespace licenced::storage
